//! Every way a tenant can authenticate, in one scheduled run over several tenants; every way the
//! token endpoint can refuse a client, each failing its tenant with its own cause; token reuse.

use lambda_runtime::{Context, LambdaEvent};
use okta_ingest::invocation::Target;
use okta_ingest::lambda;
use okta_ingest::manifest::Status;
use okta_ingest::resources::USERS;
use okta_ingest::runner;
use okta_ingest::runtime::Runtime;
use okta_ingest::system_log::Window;
use okta_ingest::tenant::TenantId;
use okta_ingest_tests::{TestAws, TestOrg, invoke, scheduled_event, secret, served, test_options};
use okta_sim::{OAuthClient, SimConfig, Simulator, keys};
use serde_json::json;

#[tokio::test]
async fn ssws_client_secret_private_key_jwt_and_dpop_all_work() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(60)
            .with_client(OAuthClient::secret("0oa-secret", "client-secret-value"))
            .with_client(OAuthClient::private_key(
                "0oa-rsa",
                keys::RSA_PUBLIC_KEY_PEM,
            ))
            .with_client(OAuthClient::private_key("0oa-ec", keys::EC_PUBLIC_KEY_PEM))
            .with_client(OAuthClient::secret("0oa-dpop", "dpop-secret-value").with_dpop())
            .with_client(
                OAuthClient::private_key("0oa-dpop-key", keys::EC_PUBLIC_KEY_PEM).with_dpop(),
            ),
    )
    .await
    .unwrap();
    let aws = TestAws::new().await;
    let tenants = [
        (
            "ssws",
            json!({"type": "ssws", "token": okta_sim::API_TOKEN}),
        ),
        (
            "secret",
            json!({"type": "oauth2", "client_id": "0oa-secret", "client_secret": "client-secret-value"}),
        ),
        (
            "rsa",
            json!({"type": "oauth2", "client_id": "0oa-rsa", "private_key": keys::RSA_PRIVATE_KEY_PEM, "key_id": "k1"}),
        ),
        (
            "ec",
            json!({"type": "oauth2", "client_id": "0oa-ec", "private_key": keys::EC_PRIVATE_KEY_PEM}),
        ),
        (
            "dpop",
            json!({"type": "oauth2", "client_id": "0oa-dpop", "client_secret": "dpop-secret-value"}),
        ),
        (
            "dpop-key",
            json!({"type": "oauth2", "client_id": "0oa-dpop-key", "private_key": keys::EC_PRIVATE_KEY_PEM}),
        ),
    ];
    for (tenant, auth) in &tenants {
        aws.put_tenant(tenant, &secret(&sim.url(), auth.clone()))
            .await;
    }
    let rt = aws.runtime(test_options()).await;

    let summary = invoke(&rt, &USERS, scheduled_event()).await;
    assert_eq!(summary.tenants.len(), tenants.len());
    for tenant in &summary.tenants {
        assert_eq!(tenant.status, Status::Complete, "{tenant:?}");
        assert_eq!(
            tenant.resources[0].records as usize,
            sim.dataset().users.len()
        );
    }
    // One token per OAuth tenant (its group's scopes in one request); DPoP tenants needed two
    // extra token rounds (DPoP required, then the nonce).
    assert_eq!(sim.stats().token_requests, 3 + 2 * 3);
}

#[tokio::test]
async fn an_expired_token_is_replaced_once_and_the_run_completes() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(250)
            .with_client(OAuthClient::secret("0oa-secret", "client-secret-value")),
    )
    .await
    .unwrap();
    let aws = TestAws::new().await;
    aws.put_tenant(
        "acme",
        &secret(
            &sim.url(),
            json!({"type": "oauth2", "client_id": "0oa-secret", "client_secret": "client-secret-value"}),
        ),
    )
    .await;
    let rt = aws.runtime(test_options()).await;
    // Expire every token as soon as the first listing request has been answered.
    let expire = async {
        served(&sim, "/api/v1/users", 1).await;
        sim.faults().expire_tokens();
    };
    let (summary, ()) = tokio::join!(invoke(&rt, &USERS, json!({"tenant": "acme"})), expire);
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    assert_eq!(
        sim.stats().token_requests,
        2,
        "one token, then one replacement"
    );
}

/// The `check` statuses of the tenants of a runtime.
async fn check(rt: &Runtime) -> Vec<okta_ingest::check::IntegrationStatus> {
    okta_ingest::check::tenants(rt, &Target::AllTenants)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_network_zone_refusal_fails_the_tenant_and_the_check_names_it() {
    let org = TestOrg::with_auth(
        SimConfig::small().with_users(20).with_client(
            OAuthClient::secret("0oa-zoned", "zoned-secret-value").outside_network_zone(),
        ),
        json!({"type": "oauth2", "client_id": "0oa-zoned", "client_secret": "zoned-secret-value"}),
    )
    .await;
    let acme = Target::Tenant(TenantId::parse("acme").unwrap());
    let plan = [(&USERS, vec!["users", "user_factors"])];
    let summary = runner::run(&org.rt, &acme, &plan, &Window::Live, None)
        .await
        .unwrap();
    let tenant = &summary.tenants[0];
    // Failed, not skipped: SQS retries it and the alarms see it.
    assert_eq!(tenant.status, Status::Failed, "{summary:?}");
    for r in &tenant.resources {
        assert_eq!(r.status, Status::Failed, "{r:?}");
        let reason = r.reason.as_deref().unwrap();
        assert!(
            reason.contains("network zone")
                && reason.contains("egress IP")
                && reason.contains("outside the client's permitted network zones"),
            "what to change, with Okta's description: {reason}"
        );
        assert!(!reason.contains("zoned-secret-value"));
    }
    // A direct invocation for the tenant fails, for Lambda's error metric and retries.
    let event = LambdaEvent::new(json!({"tenant": "acme"}), Context::default());
    let error = lambda::invoke(&org.rt, &USERS, event)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("network zone"), "{error}");
    let statuses = check(&org.rt).await;
    assert!(!statuses[0].active);
    for probe in &statuses[0].resources {
        assert_eq!(probe.status, "network_zone", "{probe:?}");
    }
    assert_eq!(
        org.sim.stats().token_requests,
        3,
        "the refusal is asked for once by the run, the invocation and the check, not per resource"
    );
}

#[tokio::test]
async fn each_token_refusal_fails_its_tenant_and_names_its_cause() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(10)
            .with_client(OAuthClient::secret("0oa-ok", "right-secret-value"))
            .with_client(OAuthClient::private_key(
                "0oa-rsa",
                keys::RSA_PUBLIC_KEY_PEM,
            ))
            .with_client(
                OAuthClient::secret("0oa-web", "web-secret-value")
                    .with_grant_types(&["authorization_code"]),
            )
            .with_client(OAuthClient::secret("0oa-dpop", "dpop-secret-value").with_dpop()),
    )
    .await
    .unwrap();
    // The runner's clock is ten minutes behind Okta's: DPoP proofs look stale.
    sim.faults()
        .dpop_clock_ahead(std::time::Duration::from_secs(600));
    let aws = TestAws::new().await;
    let cases = [
        (
            "wrong-secret",
            json!({"type": "oauth2", "client_id": "0oa-ok", "client_secret": "wrong-secret-value"}),
            "invalid_client",
            "client_secret",
        ),
        (
            "unknown-key",
            json!({"type": "oauth2", "client_id": "0oa-rsa", "private_key": keys::EC_PRIVATE_KEY_PEM}),
            "invalid_client",
            "public key",
        ),
        (
            "no-grant",
            json!({"type": "oauth2", "client_id": "0oa-web", "client_secret": "web-secret-value"}),
            "grant_type_not_allowed",
            "Client Credentials",
        ),
        (
            "stale-dpop",
            json!({"type": "oauth2", "client_id": "0oa-dpop", "client_secret": "dpop-secret-value"}),
            "dpop_proof_refused",
            "clock",
        ),
    ];
    for (tenant, auth, _, _) in &cases {
        aws.put_tenant(tenant, &secret(&sim.url(), auth.clone()))
            .await;
    }
    aws.put_tenant(
        "fine",
        &secret(
            &sim.url(),
            json!({"type": "ssws", "token": okta_sim::API_TOKEN}),
        ),
    )
    .await;
    let rt = aws.runtime(test_options()).await;
    let summary = invoke(&rt, &USERS, scheduled_event()).await;
    let fine = summary.tenants.iter().find(|t| t.tenant == "fine").unwrap();
    assert_eq!(fine.status, Status::Complete, "the others carry on");
    let statuses = check(&rt).await;
    for (tenant, _, kind, advice) in cases {
        let run = summary.tenants.iter().find(|t| t.tenant == tenant).unwrap();
        assert_eq!(run.status, Status::Failed, "{run:?}");
        let reason = run.resources[0].reason.as_deref().unwrap();
        assert!(reason.contains(advice), "{tenant}: {reason}");
        for secret in ["secret-value", "PRIVATE KEY"] {
            assert!(!reason.contains(secret), "{tenant}: {reason}");
        }
        let status = statuses.iter().find(|s| s.tenant == tenant).unwrap();
        assert!(!status.active);
        for probe in &status.resources {
            assert_eq!(probe.status, kind, "{tenant}: {probe:?}");
        }
    }
}

#[tokio::test]
async fn a_short_lived_token_is_reused_until_shortly_before_it_expires() {
    let org = TestOrg::with_auth(
        SimConfig::small()
            .with_users(60)
            .with_token_lifetime(std::time::Duration::from_secs(40))
            .with_client(OAuthClient::secret("0oa-secret", "client-secret-value")),
        json!({"type": "oauth2", "client_id": "0oa-secret", "client_secret": "client-secret-value"}),
    )
    .await;
    let summary = org.run(&USERS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let requests = summary.tenants[0].requests.requests;
    let tokens = org.sim.stats().token_requests;
    // A 40-second token serves the whole run (about 60 calls in a second or two).
    assert!(
        requests > 50 && tokens <= 2,
        "{tokens} tokens for {requests} requests"
    );
}
