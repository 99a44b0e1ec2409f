//! `okta-ingest check` as an operator runs it, against the simulator: its exit status says
//! whether the tenant is active, its table names the cause when it is not and shows the
//! optional resources apart, and without `--out` it writes nothing.

use std::path::Path;
use std::process::{Command, Output};

use okta_ingest::resources::INTEGRATION_SCOPES;
use okta_sim::{OAuthClient, SimConfig, Simulator};
use serde_json::{Value, json};

/// Runs `okta-ingest check` in `dir` for a tenant configured as `secret`, writing under
/// `dir/out` when `write` says so.
async fn check(dir: &Path, secret: Value, write: bool) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("tenant.json");
    std::fs::write(&config, secret.to_string()).unwrap();
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_okta-ingest"));
        command
            .current_dir(&dir)
            .arg("check")
            .arg("--config")
            .arg(config)
            .args(["--tenant", "acme"])
            .env("OKTA_INGEST_ALLOW_HTTP_LOOPBACK", "1");
        if write {
            command.arg("--out").arg(dir.join("out"));
        }
        command.output().expect("okta-ingest runs")
    })
    .await
    .unwrap()
}

/// The words of the table's row for `resource`.
fn row(table: &str, resource: &str) -> Option<String> {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(resource))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
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
        true,
    )
    .await;
    let table = String::from_utf8_lossy(&zoned.stdout);
    assert_eq!(zoned.status.code(), Some(1), "{table}");
    assert!(table.contains("Not active"), "{table}");
    // Each resource's row names the cause (`users  network_zone`), with what to change below it.
    assert_eq!(
        row(&table, "users").as_deref(),
        Some("users network_zone"),
        "{table}"
    );
    assert!(table.contains("egress IP"), "{table}");
    assert!(!table.contains("zoned-secret-value"));

    let ssws = check(
        &dir.join("ssws"),
        json!({"org_url": sim.url(), "auth": {"type": "ssws", "token": okta_sim::API_TOKEN}}),
        true,
    )
    .await;
    let table = String::from_utf8_lossy(&ssws.stdout);
    assert_eq!(ssws.status.code(), Some(0), "{table}");
    assert!(table.contains("Active"), "{table}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_optional_scopes_the_tenant_is_active_and_without_out_nothing_is_written() {
    // A service app granted the integration's 14 scopes only.
    let sim = Simulator::start(SimConfig::small().with_users(5).with_client(
        OAuthClient::secret("0oa-core", "core-secret-value").with_scopes(INTEGRATION_SCOPES),
    ))
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("okta-ingest-tiers-{}", std::process::id()));
    let output = check(
        &dir,
        json!({"org_url": sim.url(), "auth": {"type": "oauth2", "client_id": "0oa-core", "client_secret": "core-secret-value"}}),
        false,
    )
    .await;
    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{table}");
    assert!(table.contains("tenant acme  Active"), "{table}");
    // Two tiers, the integration's first.
    let core = table
        .find("the integration's scopes")
        .expect("the first tier");
    let optional = table.find("optional scopes").expect("the second tier");
    assert!(core < optional, "{table}");
    assert_eq!(row(&table, "users").as_deref(), Some("users ok"), "{table}");
    assert!(table.find("    users ").unwrap() < optional, "{table}");
    for resource in ["api_tokens", "authenticator_methods", "log_streams"] {
        assert_eq!(
            row(&table, resource).as_deref(),
            Some(
                format!("{resource} optional: not granted, these resources will be skipped")
                    .as_str()
            ),
            "{table}"
        );
        assert!(
            table.find(&format!("    {resource} ")).unwrap() > optional,
            "{table}"
        );
    }
    assert!(
        table.contains("okta.apiTokens.read"),
        "the detail names the scope: {table}"
    );
    // Only the config this test wrote: no output folder, no status file.
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        vec!["tenant.json"],
        "check without --out wrote something"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
