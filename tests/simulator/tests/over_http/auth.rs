//! SSWS, client secrets, private_key_jwt, DPoP, scopes and token expiry.

use jsonwebtoken::Algorithm;
use okta_sim::keys::{
    EC_PRIVATE_KEY_PEM, EC_PUBLIC_KEY_PEM, RSA_PRIVATE_KEY_PEM, RSA_PUBLIC_KEY_PEM,
};
use okta_sim::{OAuthClient, SimConfig, Simulator};
use serde_json::Value;

use crate::helpers::{
    DpopKey, assertion, basic, body, get, header, random_jti, ssws, token_request, token_url,
};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn org() -> SimConfig {
    SimConfig::small()
        .with_users(20)
        .with_client(OAuthClient::secret("0oasecret", "s3cret").with_scopes(&["okta.users.read"]))
        .with_client(OAuthClient::private_key("0oarsa", RSA_PUBLIC_KEY_PEM))
        .with_client(OAuthClient::private_key("0oaec", EC_PUBLIC_KEY_PEM))
        .with_client(OAuthClient::private_key("0oadpop", EC_PUBLIC_KEY_PEM).with_dpop())
}

async fn secret_token(sim: &Simulator, scope: &str) -> reqwest::Response {
    token_request(
        sim,
        &[("grant_type", "client_credentials"), ("scope", scope)],
        &[("authorization", &basic("0oasecret", "s3cret"))],
    )
    .await
}

async fn bearer(sim: &Simulator) -> String {
    let response = secret_token(sim, "okta.users.read").await;
    assert_eq!(response.status(), 200);
    body(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_api_token_works_and_anything_else_is_an_invalid_token() {
    let sim = Simulator::start(org()).await.unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    assert_eq!(get(&users, &ssws()).await.status(), 200);
    for authorization in ["", "SSWS nope", "Bearer nope", "Basic abc"] {
        let response = get(&users, authorization).await;
        assert_eq!(response.status(), 401, "{authorization:?}");
        assert!(header(&response, "www-authenticate").contains("error=\"invalid_token\""));
        let error = body(response).await;
        assert_eq!(error["errorCode"], "E0000011");
        assert_eq!(error["errorSummary"], "Invalid token provided");
    }
    sim.faults().revoke_api_token();
    assert_eq!(get(&users, &ssws()).await.status(), 401);
}

#[tokio::test]
async fn client_secret_basic_gets_a_bearer_token_for_granted_scopes_only() {
    let sim = Simulator::start(org()).await.unwrap();
    let response = secret_token(&sim, "okta.users.read").await;
    assert_eq!(response.status(), 200);
    let token = body(response).await;
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    assert_eq!(token["scope"], "okta.users.read");
    let access = token["access_token"].as_str().unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    assert_eq!(get(&users, &format!("Bearer {access}")).await.status(), 200);
    let response = get(&users, &format!("SSWS {access}")).await;
    assert_eq!(response.status(), 401, "a bearer token is no API token");
    assert_eq!(body(response).await["errorCode"], "E0000011");

    let response = secret_token(&sim, "okta.users.read okta.groups.read okta.x.read").await;
    assert_eq!(response.status(), 400);
    let error = body(response).await;
    assert_eq!(error["error"], "invalid_scope");
    assert_eq!(
        error["error_description"],
        "The following scopes are not allowed: okta.groups.read, okta.x.read"
    );

    let wrong = wrong_secret(&sim, "0oasecret").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(body(wrong).await["error"], "invalid_client");

    let grant = token_request(
        &sim,
        &[("grant_type", "password"), ("scope", "okta.users.read")],
        &[("authorization", &basic("0oasecret", "s3cret"))],
    )
    .await;
    assert_eq!(grant.status(), 400);
    assert_eq!(body(grant).await["error"], "unsupported_grant_type");
    assert_eq!(sim.stats().token_requests, 4);
}

#[tokio::test]
async fn a_token_without_the_scope_gets_an_empty_403_with_a_challenge() {
    let config =
        org().with_client(OAuthClient::secret("0oagroups", "g").with_scopes(&["okta.groups.read"]));
    let sim = Simulator::start(config).await.unwrap();
    let response = token_request(
        &sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.groups.read"),
        ],
        &[("authorization", &basic("0oagroups", "g"))],
    )
    .await;
    let token = body(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = get(
        &format!("{}/api/v1/users", sim.url()),
        &format!("Bearer {token}"),
    )
    .await;
    assert_eq!(response.status(), 403);
    let challenge = header(&response, "www-authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains(&format!("realm=\"{}\"", sim.url())));
    assert!(challenge.contains("scope=\"okta.users.read\""));
    assert!(challenge.contains("error=\"insufficient_scope\""));
    assert!(challenge.contains(
        "error_description=\"The access token provided does not contain the required scopes.\""
    ));
    assert!(challenge.contains("resource=\"/api/v1/users\""));
    assert!(response.bytes().await.unwrap().is_empty(), "empty body");
}

#[tokio::test]
async fn the_api_token_is_refused_endpoints_its_admin_may_not_use() {
    let sim = Simulator::start(org().with_api_token_denied_scopes(&["okta.users.read"]))
        .await
        .unwrap();
    let response = get(&format!("{}/api/v1/users", sim.url()), &ssws()).await;
    assert_eq!(response.status(), 403);
    let error = body(response).await;
    assert_eq!(error["errorCode"], "E0000006");
    assert_eq!(
        error["errorSummary"],
        "You do not have permission to perform the requested action"
    );
}

async fn jwt_token(sim: &Simulator, assertion: &str) -> reqwest::Response {
    token_request(
        sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read okta.logs.read"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ],
        &[],
    )
    .await
}

#[tokio::test]
async fn private_key_jwt_accepts_rs256_and_es256_once_per_jti() {
    let sim = Simulator::start(org()).await.unwrap();
    let aud = token_url(&sim);
    for (client, pem, alg) in [
        ("0oarsa", RSA_PRIVATE_KEY_PEM, Algorithm::RS256),
        ("0oaec", EC_PRIVATE_KEY_PEM, Algorithm::ES256),
    ] {
        let signed = assertion(client, &aud, pem, alg, &random_jti());
        let response = jwt_token(&sim, &signed).await;
        assert_eq!(response.status(), 200, "{client}");
        let token = body(response).await;
        assert_eq!(token["token_type"], "Bearer");
        assert_eq!(token["scope"], "okta.users.read okta.logs.read");
        let replay = jwt_token(&sim, &signed).await;
        assert_eq!(replay.status(), 401, "{client}: jti reused");
        assert_eq!(body(replay).await["error"], "invalid_client");
    }
    let cases: [(&str, String, &str, Algorithm); 3] = [
        (
            "wrong audience",
            "http://elsewhere/oauth2/v1/token".into(),
            EC_PRIVATE_KEY_PEM,
            Algorithm::ES256,
        ),
        (
            "wrong key",
            aud.clone(),
            RSA_PRIVATE_KEY_PEM,
            Algorithm::RS256,
        ),
        (
            "unknown client",
            aud.clone(),
            EC_PRIVATE_KEY_PEM,
            Algorithm::ES256,
        ),
    ];
    for (case, audience, pem, alg) in cases {
        let client = if case == "unknown client" {
            "0oanobody"
        } else {
            "0oaec"
        };
        let response =
            jwt_token(&sim, &assertion(client, &audience, pem, alg, &random_jti())).await;
        assert_eq!(response.status(), 401, "{case}");
        assert_eq!(body(response).await["error"], "invalid_client", "{case}");
    }
}

/// The DPoP handshake on the token endpoint, then API calls with proofs.
#[tokio::test]
async fn dpop_clients_go_through_the_nonce_dance_and_prove_every_call() {
    let sim = Simulator::start(org()).await.unwrap();
    let aud = token_url(&sim);
    let key = DpopKey::ec();
    let request = |proof: Option<String>| {
        let sim = &sim;
        let aud = aud.clone();
        async move {
            let signed = assertion(
                "0oadpop",
                &aud,
                EC_PRIVATE_KEY_PEM,
                Algorithm::ES256,
                &random_jti(),
            );
            let headers: Vec<(&str, &str)> = match &proof {
                Some(p) => vec![("dpop", p.as_str())],
                None => vec![],
            };
            let form = [
                ("grant_type", "client_credentials"),
                ("scope", "okta.users.read"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", signed.as_str()),
            ];
            token_request(sim, &form, &headers).await
        }
    };

    let response = request(None).await;
    assert_eq!(response.status(), 400);
    let error = body(response).await;
    assert_eq!(error["error"], "invalid_dpop_proof");
    assert_eq!(
        error["error_description"],
        "The DPoP proof JWT header is missing."
    );

    let response = request(Some(key.proof("POST", &aud, None, None))).await;
    assert_eq!(response.status(), 400);
    let nonce = header(&response, "dpop-nonce");
    assert_eq!(body(response).await["error"], "use_dpop_nonce");

    let response = request(Some(key.proof("POST", &aud, Some(&nonce), None))).await;
    assert_eq!(response.status(), 200);
    let token: Value = body(response).await;
    assert_eq!(token["token_type"], "DPoP");
    let access = token["access_token"].as_str().unwrap();

    let users = format!("{}/api/v1/users", sim.url());
    let call = |authorization: String, proof: Option<String>| {
        let users = format!("{users}?limit=5");
        async move {
            let mut request = crate::helpers::http()
                .get(users)
                .header("authorization", authorization);
            if let Some(proof) = proof {
                request = request.header("dpop", proof);
            }
            request.send().await.unwrap()
        }
    };
    // htu is the URL without its query.
    let ok = call(
        format!("DPoP {access}"),
        Some(key.proof("GET", &users, None, Some(access))),
    )
    .await;
    assert_eq!(ok.status(), 200);

    for (case, authorization, proof) in [
        ("no proof", format!("DPoP {access}"), None),
        (
            "Bearer scheme",
            format!("Bearer {access}"),
            Some(key.proof("GET", &users, None, Some(access))),
        ),
        (
            "wrong ath",
            format!("DPoP {access}"),
            Some(key.proof("GET", &users, None, Some("other"))),
        ),
        (
            "wrong method",
            format!("DPoP {access}"),
            Some(key.proof("POST", &users, None, Some(access))),
        ),
        (
            "other key",
            format!("DPoP {access}"),
            Some(DpopKey::rsa().proof("GET", &users, None, Some(access))),
        ),
    ] {
        let response = call(authorization, proof).await;
        assert_eq!(response.status(), 401, "{case}");
        let challenge = header(&response, "www-authenticate");
        assert!(
            challenge.starts_with("DPoP ") && challenge.contains("invalid_dpop_proof"),
            "{case}: {challenge}"
        );
    }
    let proof = key.proof("GET", &users, None, Some(access));
    assert_eq!(
        call(format!("DPoP {access}"), Some(proof.clone()))
            .await
            .status(),
        200
    );
    assert_eq!(
        call(format!("DPoP {access}"), Some(proof)).await.status(),
        401,
        "a proof is single-use"
    );

    // Okta rotates the nonce: the old one earns another use_dpop_nonce.
    sim.faults().rotate_dpop_nonce();
    let response = request(Some(key.proof("POST", &aud, Some(&nonce), None))).await;
    assert_eq!(body(response).await["error"], "use_dpop_nonce");
}

#[tokio::test]
async fn expired_tokens_and_short_lifetimes_end_in_invalid_token() {
    let sim = Simulator::start(org().with_token_lifetime(std::time::Duration::from_secs(1)))
        .await
        .unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    let token = bearer(&sim).await;
    assert_eq!(get(&users, &format!("Bearer {token}")).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        get(&users, &format!("Bearer {token}")).await.status(),
        401,
        "lifetime over"
    );

    let token = bearer(&sim).await;
    sim.faults().expire_tokens();
    let response = get(&users, &format!("Bearer {token}")).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body(response).await["errorCode"], "E0000011");
    let fresh = bearer(&sim).await;
    assert_eq!(
        get(&users, &format!("Bearer {fresh}")).await.status(),
        200,
        "new tokens work"
    );
}

#[tokio::test]
async fn a_client_outside_its_network_zones_gets_403_access_denied() {
    let config = org().with_client(OAuthClient::secret("0oazoned", "z").outside_network_zone());
    let sim = Simulator::start(config).await.unwrap();
    let response = token_request(
        &sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
        ],
        &[("authorization", &basic("0oazoned", "z"))],
    )
    .await;
    // The oauth spec's 403 for /oauth2/v1/token, example OAuthError403AccessDenied_InvalidNetworkZone.
    assert_eq!(response.status(), 403);
    let error = body(response).await;
    assert_eq!(error["error"], "access_denied");
    assert_eq!(
        error["error_description"],
        "The request is made from outside the client's permitted network zones."
    );
    // Client authentication comes first: a wrong secret is still invalid_client.
    let wrong = wrong_secret(&sim, "0oazoned").await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn a_client_without_the_client_credentials_grant_gets_unauthorized_client() {
    let config = org()
        .with_client(OAuthClient::secret("0oaweb", "w").with_grant_types(&["authorization_code"]));
    let sim = Simulator::start(config).await.unwrap();
    let response = token_request(
        &sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
        ],
        &[("authorization", &basic("0oaweb", "w"))],
    )
    .await;
    assert_eq!(response.status(), 400);
    let error = body(response).await;
    assert_eq!(error["error"], "unauthorized_client");
    assert_eq!(
        error["error_description"],
        "The client isn't authorized to use the provided grant type. Configured grant types: [authorization_code]."
    );
}

#[tokio::test]
async fn a_runner_clock_behind_the_orgs_makes_dpop_proofs_stale() {
    let sim = Simulator::start(org()).await.unwrap();
    sim.faults()
        .dpop_clock_ahead(std::time::Duration::from_secs(600));
    let aud = token_url(&sim);
    let signed = assertion(
        "0oadpop",
        &aud,
        EC_PRIVATE_KEY_PEM,
        Algorithm::ES256,
        &random_jti(),
    );
    let proof = DpopKey::ec().proof("POST", &aud, None, None);
    let response = token_request(
        &sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", signed.as_str()),
        ],
        &[("dpop", proof.as_str())],
    )
    .await;
    assert_eq!(response.status(), 400);
    let error = body(response).await;
    assert_eq!(error["error"], "invalid_dpop_proof");
    assert_eq!(
        error["error_description"],
        "The DPoP proof 'iat' is missing or not recent."
    );
}

/// A token request for `client_id` with a wrong secret.
async fn wrong_secret(sim: &Simulator, client_id: &str) -> reqwest::Response {
    token_request(
        sim,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
        ],
        &[("authorization", &basic(client_id, "wrong"))],
    )
    .await
}
