//! The benchmark: does an ingest run at Okta's rate limit rather than at our CPU or memory?
//!
//! For each scenario the simulator runs in this process and the ingest in a child process (the
//! same binary, `child` mode), so the child's CPU time and peak RSS, read with `wait4`, are the
//! ingest's alone. Prints one table row per scenario and whether each target is met.
//!
//! ```text
//! cargo run --release -p okta-ingest-bench                 # the standard scenarios
//! cargo run --release -p okta-ingest-bench -- --full       # adds 1M users and 100k factor calls
//! cargo run --release -p okta-ingest-bench -- users-10k    # named scenarios only
//! cargo run --release -p okta-ingest-bench -- changes      # the change feed's comparison
//! cargo run --release -p okta-ingest-bench -- incremental  # a day of incremental refresh
//! cargo run --release -p okta-ingest-bench -- --format ndjson   # parquet (default), ndjson, both
//! ```

mod diff;
mod incremental;
mod measure;
mod scenarios;

use std::process::ExitCode;

use okta_ingest::invocation::Target;
use okta_ingest::runner;
use okta_ingest::runtime::{self, Options, Runtime};
use okta_ingest::sink::Formats;
use okta_ingest::store::{LocalStore, ObjectStore};
use okta_ingest::system_log::Window;
use okta_ingest::tenant::TenantId;
use okta_ingest::tenants::TenantSource;
use scenarios::Scenario;
use secrecy::SecretString;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--full");
    match args.first().map(String::as_str) {
        Some("child") => return child(&args[1..]),
        Some("diff-child") => return diff::child(&args[1..]),
        Some("changes") => return diff::run(full),
        Some("incremental") => return incremental::run(&args[1..]),
        Some("incremental-child") => return incremental::child_main(&args[1..]),
        _ => {}
    }
    // `--format F`: the output format, handed to the child as OKTA_INGEST_FORMAT.
    let format = args
        .iter()
        .position(|a| a == "--format")
        .and_then(|i| args.get(i + 1));
    if let Some(format) = format {
        if let Err(e) = format.parse::<Formats>() {
            eprintln!("--format: {e}");
            return ExitCode::from(2);
        }
        // SAFETY: set before any other thread exists (the tokio runtime starts below).
        unsafe { std::env::set_var("OKTA_INGEST_FORMAT", format) };
    }
    let named: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with("--") && Some(*a) != format)
        .collect();
    let chosen: Vec<Scenario> = scenarios::all()
        .into_iter()
        .filter(|s| {
            if named.is_empty() {
                full || !s.full_only
            } else {
                named.iter().any(|n| *n == s.name)
            }
        })
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = scenarios::all().iter().map(|s| s.name).collect();
        eprintln!("no such scenario; known: {}", names.join(", "));
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    println!(
        "format: {}",
        okta_ingest::env::Environment::read()
            .expect("checked above")
            .options
            .formats
    );
    println!("{}", measure::Row::header());
    let mut all_met = true;
    for scenario in &chosen {
        let row = runtime.block_on(measure::run(scenario));
        println!("{row}");
        all_met &= row.targets_met();
    }
    println!("\n{}", measure::Row::legend());
    if all_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The benchmark's tenant `bench` on the simulator at `org_url` (half of each bucket, 16
/// requests in flight), written to the folder `out`, with loopback allowed.
fn bench_runtime(org_url: &str, out: &str, options: Options) -> (TenantId, Runtime) {
    let id = TenantId::parse("bench").expect("a valid id");
    let secret = serde_json::json!({
        "org_url": org_url,
        "auth": {"type": "ssws", "token": okta_sim::API_TOKEN},
        "rate_limit_fraction": 0.5,
        "max_in_flight": 16,
    });
    let options = Options {
        allow_http_loopback: true,
        ..options
    };
    let rt = Runtime {
        store: ObjectStore::Local(LocalStore::new(out).expect("the output folder")),
        tenants: TenantSource::Single {
            id: id.clone(),
            origin: "the benchmark".into(),
            json: SecretString::from(secret.to_string()),
        },
        http: runtime::http_client(&options).expect("an HTTP client"),
        options,
        queue: None,
    };
    (id, rt)
}

/// Child mode: `child <scenario> <org-url> <out-dir>` runs one ingest and prints its summary.
fn child(args: &[String]) -> ExitCode {
    let [name, org_url, out] = args else {
        eprintln!("usage: child <scenario> <org-url> <out-dir>");
        return ExitCode::from(2);
    };
    let scenario = scenarios::all()
        .into_iter()
        .find(|s| s.name == name)
        .expect("a known scenario");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let summary = runtime.block_on(async {
        let options = okta_ingest::env::Environment::read()
            .expect("OKTA_INGEST_FORMAT was checked")
            .options;
        let (id, rt) = bench_runtime(org_url, out, options);
        runner::run(
            &rt,
            &Target::Tenant(id),
            &scenario.plan(),
            &Window::Live,
            None,
        )
        .await
        .expect("the run")
    });
    let peak_rss_kb = measure::own_peak_rss_kb();
    println!(
        "{}",
        serde_json::json!({"summary": summary, "peak_rss_kb": peak_rss_kb})
    );
    ExitCode::SUCCESS
}
