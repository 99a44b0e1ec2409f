//! Every way a tenant can authenticate, in one scheduled run over several tenants.

use okta_ingest::manifest::Status;
use okta_ingest::resources::USERS;
use okta_ingest_tests::{TestAws, invoke, scheduled_event, secret, served, test_options};
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
