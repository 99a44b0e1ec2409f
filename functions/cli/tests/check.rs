//! `okta-ingest check` as an operator runs it, against the simulator: its exit status says
//! whether the tenant is active, and its table names the cause when it is not.

use std::path::Path;
use std::process::{Command, Output};

use okta_sim::{OAuthClient, SimConfig, Simulator};
use serde_json::{Value, json};

/// Runs `okta-ingest check` for a tenant configured as `secret`, writing under `dir`.
async fn check(dir: &Path, secret: Value) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("tenant.json");
    std::fs::write(&config, secret.to_string()).unwrap();
    let out = dir.join("out");
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_okta-ingest"))
            .arg("check")
            .arg("--config")
            .arg(config)
            .arg("--out")
            .arg(out)
            .args(["--tenant", "acme"])
            .env("OKTA_INGEST_ALLOW_HTTP_LOOPBACK", "1")
            .output()
            .expect("okta-ingest runs")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_exits_non_zero_and_names_the_cause_when_the_tenant_is_not_active() {
    let sim = Simulator::start(SimConfig::small().with_users(5).with_client(
        OAuthClient::secret("0oa-zoned", "zoned-secret-value").outside_network_zone(),
    ))
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("okta-ingest-check-{}", std::process::id()));

    let zoned = check(
        &dir.join("zoned"),
        json!({"org_url": sim.url(), "auth": {"type": "oauth2", "client_id": "0oa-zoned", "client_secret": "zoned-secret-value"}}),
    )
    .await;
    let table = String::from_utf8_lossy(&zoned.stdout);
    assert_eq!(zoned.status.code(), Some(1), "{table}");
    assert!(table.contains("Not active"), "{table}");
    // Each resource's row names the cause (`users  network_zone`), with what to change below it.
    let row = |resource: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(resource))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
    };
    assert_eq!(row("users"), Some(vec!["users", "network_zone"]), "{table}");
    assert!(table.contains("egress IP"), "{table}");
    assert!(!table.contains("zoned-secret-value"));

    let ssws = check(
        &dir.join("ssws"),
        json!({"org_url": sim.url(), "auth": {"type": "ssws", "token": okta_sim::API_TOKEN}}),
    )
    .await;
    let table = String::from_utf8_lossy(&ssws.stdout);
    assert_eq!(ssws.status.code(), Some(0), "{table}");
    assert!(table.contains("Active"), "{table}");
    std::fs::remove_dir_all(&dir).unwrap();
}
