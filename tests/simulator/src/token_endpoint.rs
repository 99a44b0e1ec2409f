//! `POST /oauth2/v1/token` of the org authorization server: the client credentials grant with
//! `client_secret_basic`/`client_secret_post` or `private_key_jwt` client authentication, the
//! app's network zones (403 `access_denied`) and grant types (`unauthorized_client`), the DPoP
//! handshake (`invalid_dpop_proof`, then `use_dpop_nonce`), and Okta-scoped tokens.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use crate::access_tokens::Grant;
use crate::config::{ClientAuth, OAuthClient};
use crate::dpop::{self, ProofError};
use crate::reply::{json, oauth_error};
use crate::state::OrgState;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Okta refuses client assertions that expire further ahead than this.
const MAX_ASSERTION_LIFETIME: i64 = 3_600;
const CLIENT_AUTH_FAILED: &str =
    "Client authentication failed. Either the client or the client credentials are invalid.";

pub(crate) fn token(org: &OrgState, headers: &HeaderMap, body: &[u8]) -> Response {
    let form = Form(url::form_urlencoded::parse(body).into_owned().collect());

    let client = match authenticate_client(org, headers, &form) {
        Ok(client) => client,
        Err(description) => return oauth_error("invalid_client", description),
    };
    if client.outside_network_zone {
        return oauth_error(
            "access_denied",
            "The request is made from outside the client's permitted network zones.",
        );
    }
    match form.get("grant_type") {
        Some("client_credentials") => {}
        None => return oauth_error("invalid_request", "The 'grant_type' parameter is required."),
        Some(_) => {
            return oauth_error(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. \
                 Configured grant types: [client_credentials].",
            );
        }
    }
    if !client.grant_types.iter().any(|g| g == "client_credentials") {
        return oauth_error(
            "unauthorized_client",
            &format!(
                "The client isn't authorized to use the provided grant type. \
                 Configured grant types: [{}].",
                client.grant_types.join(", ")
            ),
        );
    }
    let jkt = if client.require_dpop {
        match token_proof(org, headers) {
            Ok(jkt) => Some(jkt),
            Err(response) => return response,
        }
    } else {
        None
    };
    let requested: Vec<&str> = form.get("scope").unwrap_or("").split_whitespace().collect();
    if requested.is_empty() {
        return oauth_error(
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, \
             'scope' must be provided.",
        );
    }
    let refused: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|s| !client.scopes.iter().any(|g| g == s))
        .collect();
    if !refused.is_empty() {
        return oauth_error(
            "invalid_scope",
            &format!(
                "The following scopes are not allowed: {}",
                refused.join(", ")
            ),
        );
    }

    let lifetime = org.config.token_lifetime;
    let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
    let access_token = org.access_tokens.issue(Grant {
        scopes: requested.iter().map(|s| (*s).to_owned()).collect(),
        jkt,
        expires: Instant::now() + lifetime,
        generation: org.faults.token_generation(),
    });
    json(&json!({
        "token_type": token_type,
        "expires_in": lifetime.as_secs(),
        "access_token": access_token,
        "scope": requested.join(" "),
    }))
}

/// The client the request authenticates as, or the `invalid_client` description.
fn authenticate_client<'a>(
    org: &'a OrgState,
    headers: &HeaderMap,
    form: &Form,
) -> Result<&'a OAuthClient, &'static str> {
    let client = |id: &str| org.config.clients.iter().find(|c| c.client_id == id);
    let secret_matches = |client: &OAuthClient, secret: &str| matches!(&client.auth, ClientAuth::Secret(s) if s == secret);

    if let Some((id, secret)) = basic_credentials(headers) {
        return client(&id)
            .filter(|c| secret_matches(c, &secret))
            .ok_or(CLIENT_AUTH_FAILED);
    }
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type") != Some(JWT_BEARER) {
            return Err("The client_assertion_type is invalid.");
        }
        return verify_assertion(org, assertion);
    }
    match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => client(id)
            .filter(|c| secret_matches(c, secret))
            .ok_or(CLIENT_AUTH_FAILED),
        _ => Err(CLIENT_AUTH_FAILED),
    }
}

/// The fields of a form-encoded body.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `Authorization: Basic base64(client_id:client_secret)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `private_key_jwt`: signed by the client's registered key, `iss` = `sub` = client id,
/// `aud` = the token URL, unexpired but not too far ahead, `jti` single-use.
fn verify_assertion<'a>(
    org: &'a OrgState,
    assertion: &str,
) -> Result<&'a OAuthClient, &'static str> {
    let header =
        jsonwebtoken::decode_header(assertion).map_err(|_| "The client_assertion is malformed.")?;
    let unverified: Value = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
        .map_err(|_| "The client_assertion is malformed.")?;
    let issuer = unverified["iss"].as_str().unwrap_or_default();
    let client = org
        .config
        .clients
        .iter()
        .find(|c| c.client_id == issuer)
        .ok_or("The client_assertion 'iss' is not a known client.")?;
    let ClientAuth::PrivateKeyJwt { public_key_pem } = &client.auth else {
        return Err(CLIENT_AUTH_FAILED);
    };
    let key = match header.alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            DecodingKey::from_rsa_pem(public_key_pem.as_bytes())
        }
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(public_key_pem.as_bytes()),
        _ => return Err("The client_assertion 'alg' is not supported."),
    }
    .map_err(|_| "The client_assertion signature is invalid.")?;

    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[org.token_url()]);
    validation.set_issuer(&[&client.client_id]);
    validation.sub = Some(client.client_id.clone());
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                "The client_assertion token is expired."
            }
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                "The audience claim for client_assertion must be the endpoint invoked for the request."
            }
            _ => "The client_assertion signature is invalid.",
        })?
        .claims;
    let now = chrono::Utc::now().timestamp();
    let exp = claims["exp"].as_i64().unwrap_or_default();
    if exp > now + MAX_ASSERTION_LIFETIME {
        return Err("The client_assertion token has an expiration too far into the future.");
    }
    if claims["iat"].as_i64().is_some_and(|iat| iat > now + 60) {
        return Err("The client_assertion token is issued in the future.");
    }
    if let Some(jti) = claims["jti"].as_str() {
        let keep_for = Duration::from_secs((exp - now).max(1) as u64);
        if !org.replay.first_use(jti, keep_for) {
            return Err("The client_assertion token has already been used.");
        }
    }
    Ok(client)
}

/// The DPoP proof of a token request, with the handshake's two refusals.
fn token_proof(org: &OrgState, headers: &HeaderMap) -> Result<String, Response> {
    let nonce = org.dpop_nonce();
    let proof = headers.get("dpop").and_then(|v| v.to_str().ok());
    let token_url = org.token_url();
    let expected = dpop::Expected {
        method: "POST",
        url: &token_url,
        access_token: None,
        nonce: Some(&nonce),
        now: org.dpop_clock(),
    };
    dpop::verify(proof, &expected, &org.replay).map_err(|e| match e {
        ProofError::Missing => oauth_error(
            "invalid_dpop_proof",
            "The DPoP proof JWT header is missing.",
        ),
        ProofError::UseNonce => {
            let mut response = oauth_error(
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            );
            let value = HeaderValue::from_str(&nonce).expect("nonces are header-safe");
            response.headers_mut().insert("dpop-nonce", value);
            response
        }
        ProofError::Invalid(why) => oauth_error("invalid_dpop_proof", &why),
    })
}
