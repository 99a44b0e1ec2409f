//! `okta-ingest run` twice into one folder: the first run of the users is full, the second
//! incremental (it says what it read and carried), `--refresh full` reads everything again,
//! and a wrong mode is refused before anything runs.

use std::path::Path;
use std::process::{Command, Output};

use okta_sim::{SimConfig, Simulator};
use serde_json::json;

async fn run(sim: &Simulator, dir: &Path, extra: &[&str]) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("tenant.json");
    let secret =
        json!({"org_url": sim.url(), "auth": {"type": "ssws", "token": okta_sim::API_TOKEN}});
    std::fs::write(&config, secret.to_string()).unwrap();
    let out = dir.join("out");
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_okta-ingest"))
            .arg("run")
            .arg("--config")
            .arg(config)
            .arg("--out")
            .arg(out)
            .args(["--tenant", "acme", "--resources", "okta-users"])
            .args(extra)
            .env("OKTA_INGEST_ALLOW_HTTP_LOOPBACK", "1")
            .env("OKTA_INGEST_FORMAT", "ndjson")
            .output()
            .expect("okta-ingest runs")
    })
    .await
    .unwrap();
    // Run ids are whole seconds: the next run gets its own.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_second_run_reads_what_changed_and_a_full_one_everything() {
    let sim = Simulator::start(SimConfig::small().with_users(40))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("okta-ingest-cli-refresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let first = run(&sim, &dir, &[]).await;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        !stdout(&first).contains("incremental:"),
        "{}",
        stdout(&first)
    );
    let factors_read = sim.stats().path("/api/v1/users/{id}/factors");
    assert!(factors_read > 0);

    let second = run(&sim, &dir, &[]).await;
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let text = stdout(&second);
    assert!(
        text.contains("↳ incremental: 0 read, 40 carried from run"),
        "nothing changed, every user carried: {text}"
    );
    assert_eq!(
        sim.stats().path("/api/v1/users/{id}/factors"),
        factors_read,
        "no user changed, so no factors are read again"
    );

    let full = run(&sim, &dir, &["--refresh", "full"]).await;
    assert!(full.status.success());
    assert!(!stdout(&full).contains("incremental:"), "{}", stdout(&full));
    assert!(sim.stats().path("/api/v1/users/{id}/factors") > factors_read);

    let wrong = run(&sim, &dir, &["--refresh", "sometimes"]).await;
    assert!(!wrong.status.success());
    let error = String::from_utf8_lossy(&wrong.stderr);
    assert!(error.contains("auto or full"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}
