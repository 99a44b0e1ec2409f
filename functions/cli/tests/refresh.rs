//! `okta-ingest run` twice into one folder: the first run of the users is full, the second
//! incremental (it says what it read and carried), `--refresh full` reads everything again,
//! and a wrong mode is refused before anything runs.

mod common;

use std::path::Path;
use std::process::Output;

use okta_sim::{SimConfig, Simulator};

async fn run(sim: &Simulator, dir: &Path, extra: &[&str]) -> Output {
    let args = [&["--resources", "okta-users"], extra].concat();
    let output = common::run(sim, dir, &args, &[("OKTA_INGEST_FORMAT", "ndjson")]).await;
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
