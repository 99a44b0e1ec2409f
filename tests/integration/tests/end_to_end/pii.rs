//! Personal data controls: listed fields never reach the output, and hashes still join.

use okta_ingest::manifest::Status;
use okta_ingest::resources::{GROUPS, SECURITY, USERS};
use okta_ingest_tests::{TestAws, invoke, test_options};
use okta_sim::{SimConfig, Simulator};
use serde_json::json;

#[tokio::test]
async fn dropped_and_hashed_fields_never_reach_the_output() {
    let sim = Simulator::start(SimConfig::small().with_users(120).with_groups(10))
        .await
        .unwrap();
    let aws = TestAws::new().await;
    let secret = json!({
        "org_url": sim.url(),
        "auth": {"type": "ssws", "token": okta_sim::API_TOKEN},
        "pii": {
            // Users' profiles, and their factors' profiles (phone numbers, logins as ids).
            "drop": ["profile.mobilePhone", "profile.primaryPhone", "profile.streetAddress", "profile.phoneNumber"],
            "hash": ["profile.email", "profile.login", "profile.credentialId"],
            "hash_key": "a-tenant-specific-hmac-key",
        },
    });
    aws.put_tenant("acme", &secret.to_string()).await;
    let rt = aws.runtime(test_options()).await;
    for group in [&USERS, &GROUPS] {
        let summary = invoke(&rt, group, json!({"tenant": "acme"})).await;
        assert_eq!(summary.status, Status::Complete, "{summary:?}");
    }

    let data = &sim.dataset();
    let raw: Vec<String> = data
        .users
        .iter()
        .flat_map(|u| {
            [
                "mobilePhone",
                "primaryPhone",
                "streetAddress",
                "email",
                "login",
            ]
            .into_iter()
            .filter_map(|f| u["profile"][f].as_str().map(str::to_owned))
        })
        .filter(|v| v.len() > 5)
        .collect();
    assert!(raw.len() > 300, "the simulated users carry personal data");
    let objects = aws.objects().await;
    for (key, body) in &objects {
        let text = if key.ends_with(".gz") {
            okta_ingest_tests::gunzip_lines(body)
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::from_utf8_lossy(body).into_owned()
        };
        for value in &raw {
            assert!(
                !text.contains(value.as_str()),
                "{key} contains a raw personal value"
            );
        }
    }

    // The same email hashes the same way in users and in group members: joins still work.
    let users = aws.lines(&aws.manifests("users", "acme").await[0]).await;
    let members = aws
        .lines(&aws.manifests("group_members", "acme").await[0])
        .await;
    let member = &members[0];
    let user = users.iter().find(|u| u["id"] == member["id"]).unwrap();
    assert!(
        user["profile"]["email"]
            .as_str()
            .unwrap()
            .starts_with("hmac-sha256:")
    );
    assert_eq!(user["profile"]["email"], member["profile"]["email"]);
    assert!(user["profile"].get("mobilePhone").is_none());
    // Everything else is untouched.
    let original = data.user(user["id"].as_str().unwrap()).unwrap();
    assert_eq!(
        user["profile"]["firstName"],
        original["profile"]["firstName"]
    );
    assert_eq!(user["status"], original["status"]);
}

#[tokio::test]
async fn credentials_okta_returns_are_dropped_without_any_pii_settings() {
    // Okta returns an OIDC IdP's client secret in the clear; no tenant setting is needed for
    // it to stay out of the output.
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    let secrets: Vec<String> = sim
        .dataset()
        .idps
        .iter()
        .filter_map(|i| i["protocol"]["credentials"]["client"]["client_secret"].as_str())
        .map(str::to_owned)
        .collect();
    assert!(
        !secrets.is_empty(),
        "the org has an IdP with a client secret"
    );
    let aws = TestAws::new().await;
    let secret =
        json!({"org_url": sim.url(), "auth": {"type": "ssws", "token": okta_sim::API_TOKEN}});
    aws.put_tenant("acme", &secret.to_string()).await;
    let rt = aws.runtime(test_options()).await;
    let summary = invoke(
        &rt,
        &SECURITY,
        json!({"tenant": "acme", "resources": "idps"}),
    )
    .await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let manifest = aws.manifests("idps", "acme").await.remove(0);
    let lines = aws.lines(&manifest).await;
    assert_eq!(lines.len(), sim.dataset().idps.len());
    for (key, body) in aws.objects().await {
        let text = if key.ends_with(".gz") {
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&body[..]),
                &mut text,
            )
            .unwrap();
            text
        } else {
            String::from_utf8_lossy(&body).into_owned()
        };
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{key} holds an IdP's client secret"
            );
        }
    }
    // Everything else of the IdP is kept, the client id included.
    assert!(
        lines
            .iter()
            .all(|l| l["protocol"]["credentials"]["client"]["client_secret"].is_null())
    );
    assert!(
        lines
            .iter()
            .any(|l| l["protocol"]["credentials"]["client"]["client_id"].is_string())
    );
}
