//! Running the `okta-ingest` binary against the simulator's org, as the CLI tests do.

use std::path::Path;
use std::process::{Command, Output};

use okta_sim::Simulator;
use serde_json::json;

/// `okta-ingest run --tenant acme` with `args` and `env`, for the simulator's org configured in
/// `dir`, writing to `dir/out`.
pub async fn run(sim: &Simulator, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("tenant.json");
    let secret =
        json!({"org_url": sim.url(), "auth": {"type": "ssws", "token": okta_sim::API_TOKEN}});
    std::fs::write(&config, secret.to_string()).unwrap();
    let out = dir.join("out");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_okta-ingest"))
            .arg("run")
            .arg("--config")
            .arg(config)
            .arg("--out")
            .arg(out)
            .args(["--tenant", "acme"])
            .args(args)
            .env("OKTA_INGEST_ALLOW_HTTP_LOOPBACK", "1")
            .envs(env)
            .output()
            .expect("okta-ingest runs")
    })
    .await
    .unwrap()
}
