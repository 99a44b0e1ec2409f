//! The incremental refresh's benchmark: a day of hourly runs of the users, groups and apps
//! groups against a simulated org that changes about 1 % of its users an hour, then the
//! daily reconciliation.
//!
//! The first run is full, each later one incremental, the last full again (a reconciliation,
//! which reports the drift: what the incremental state had wrong). Nothing changes between
//! the last incremental run and the reconciliation, so their snapshots are compared whole:
//! the incremental state must equal the full snapshot of the same org. Each run is a child
//! process at the default pacing (half of each of the simulator's buckets), measured as the
//! other scenarios are: requests, wall time, CPU and peak RSS of the ingest alone.
//!
//! ```text
//! cargo run --release -p okta-ingest-bench -- incremental [--users 100000] [--hours 24]
//! ```

use std::process::ExitCode;
use std::time::Duration;

use okta_ingest::invocation::Target;
use okta_ingest::manifest::Manifest;
use okta_ingest::refresh::{RefreshMode, RefreshPolicy};
use okta_ingest::resources::{self, Group};
use okta_ingest::runner;
use okta_ingest::runtime::Options;
use okta_ingest::store::{LocalStore, ObjectStore};
use okta_ingest::summary::RunSummary;
use okta_ingest::system_log::Window;
use okta_sim::{SimConfig, Simulator};

use crate::measure;

const GROUPS: [&Group; 3] = [&resources::USERS, &resources::GROUPS, &resources::APPS];
/// The share of the org's users changed each hour.
const CHURN: f64 = 0.01;

/// One run, as measured.
struct Measured {
    summary: RunSummary,
    wall: Duration,
    cpu: Duration,
    rss_mb: f64,
}

pub fn run(args: &[String]) -> ExitCode {
    let number = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let (users, hours) = (number("--users", 100_000), number("--hours", 24) as u64);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(day(users, hours))
}

async fn day(users: usize, hours: u64) -> ExitCode {
    let config = SimConfig::small()
        .with_users(users)
        .with_groups((users / 50).max(20))
        .with_apps(200)
        .with_latency(Duration::from_millis(20));
    let sim = Simulator::start(config)
        .await
        .expect("the simulator starts");
    let out = std::env::temp_dir().join(format!(
        "okta-ingest-bench-incremental-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "org: {users} users; churn {:.0} % of users an hour; {hours} hourly runs, then a reconciliation",
        CHURN * 100.0
    );
    println!(
        "| run | mode | requests | of the full run | wall s | CPU s | peak RSS MB | records read | carried |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let first = child(&sim, &out, 24).await;
    let full_requests = requests(&first.summary);
    row("0", &first, full_requests, &out);
    let mut worst: f64 = 0.0;
    let mut incremental = Vec::new();
    for hour in 1..=hours {
        let changes = sim.churn_fraction(hour, CHURN);
        eprintln!("hour {hour}: {} changes made", changes.len());
        let measured = child(&sim, &out, 24).await;
        let ratio = requests(&measured.summary) as f64 / full_requests as f64;
        worst = worst.max(ratio);
        row(&hour.to_string(), &measured, full_requests, &out);
        incremental.push(measured);
    }
    // No churn before it: the reconciliation's full snapshot is of the same org as the last
    // incremental state. A reconciliation interval of one hour against runs seconds apart
    // would never come: the last run is told its full run is old enough.
    let reconciled = child(&sim, &out, 0).await;
    row("reconciliation", &reconciled, full_requests, &out);
    let drift: u64 = manifests(&out, &reconciled.summary)
        .iter()
        .filter_map(|m| m.refresh.as_ref()?.drift)
        .sum();
    let last = &incremental.last().expect("at least one hour").summary;
    let (missing, extra, stale) = compare(&out, last, &reconciled.summary).await;
    println!(
        "\nthe last incremental state against the full snapshot of the same org: {missing} missing, {extra} extra, {stale} stale (noise rules as in the change feed)"
    );
    let mean = |f: &dyn Fn(&Measured) -> f64| {
        incremental.iter().map(f).sum::<f64>() / incremental.len().max(1) as f64
    };
    println!(
        "\nfull: {full_requests} requests, {:.1} s wall, {:.1} s CPU; incremental (mean of {hours}): {:.0} requests, {:.1} s wall, {:.2} s CPU; worst incremental/full request ratio {:.2} % (target 2 %); reconciliation drift {drift} (target 0)",
        first.wall.as_secs_f64(),
        first.cpu.as_secs_f64(),
        mean(&|m| requests(&m.summary) as f64),
        mean(&|m| m.wall.as_secs_f64()),
        mean(&|m| m.cpu.as_secs_f64()),
        worst * 100.0
    );
    let _ = std::fs::remove_dir_all(&out);
    if worst <= 0.02 && drift == 0 && missing + extra + stale == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Every resource's snapshot of run `ours` compared with run `theirs`: records only in
/// theirs (missing from ours), only in ours (extra), and in both but different (stale).
async fn compare(
    out: &std::path::Path,
    ours: &RunSummary,
    theirs: &RunSummary,
) -> (usize, usize, usize) {
    let store =
        ObjectStore::Local(LocalStore::new(&out.display().to_string()).expect("the folder"));
    let keys = |m: &Manifest| m.parts.iter().map(|p| p.key.clone()).collect::<Vec<_>>();
    let (mut missing, mut extra, mut stale) = (0, 0, 0);
    for (a, b) in manifests(out, ours).iter().zip(manifests(out, theirs)) {
        let resource = resources::find(&a.resource).expect("declared");
        let scratch = out.join("_compare");
        let found =
            okta_ingest::changes::differences(&store, resource, &keys(a), &keys(&b), &scratch)
                .await
                .expect("compared");
        for key in found.keys(found.count).expect("the differences") {
            eprintln!("{}: {key}", a.resource);
            match key.split(' ').next() {
                Some("added") => missing += 1,
                Some("removed") => extra += 1,
                _ => stale += 1,
            }
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }
    (missing, extra, stale)
}

fn requests(summary: &RunSummary) -> u64 {
    summary.tenants.iter().map(|t| t.requests.requests).sum()
}

/// The manifests of a run, read back from the output folder.
fn manifests(out: &std::path::Path, summary: &RunSummary) -> Vec<Manifest> {
    GROUPS
        .iter()
        .flat_map(|g| g.resources)
        .filter_map(|r| {
            let path = out.join(format!(
                "_manifests/{}/tenant=bench/run={}.json",
                r.name, summary.run_id
            ));
            serde_json::from_slice(&std::fs::read(path).ok()?).ok()
        })
        .collect()
}

fn row(name: &str, m: &Measured, full_requests: u64, out: &std::path::Path) {
    let manifests = manifests(out, &m.summary);
    // Where the requests went (the log window and mirrored listings are the tenant's, not a
    // resource's), and what the membership events added.
    let mut by_resource: Vec<(u64, &str)> = manifests
        .iter()
        .map(|m| (m.requests.requests, m.resource.as_str()))
        .filter(|(n, _)| *n > 0)
        .collect();
    by_resource.sort_unstable_by(|a, b| b.cmp(a));
    let applied: u64 = manifests
        .iter()
        .filter_map(|m| Some(m.refresh.as_ref()?.applied))
        .sum();
    eprintln!(
        "run {name}: requests by resource {}; members applied from the log {applied}",
        by_resource
            .iter()
            .take(6)
            .map(|(n, r)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let notes: Vec<_> = manifests.into_iter().filter_map(|m| m.refresh).collect();
    let mode = notes.first().map_or("?", |n| n.mode.as_str()).to_owned();
    let read: u64 = notes.iter().map(|n| n.read).sum();
    let carried: u64 = notes.iter().map(|n| n.carried).sum();
    let requests = requests(&m.summary);
    println!(
        "| {name} | {mode} | {requests} | {:.2} % | {:.1} | {:.2} | {:.1} | {read} | {carried} |",
        requests as f64 * 100.0 / full_requests as f64,
        m.wall.as_secs_f64(),
        m.cpu.as_secs_f64(),
        m.rss_mb
    );
}

/// Runs one ingest in a child process and measures it.
async fn child(sim: &Simulator, out: &std::path::Path, reconcile_hours: u32) -> Measured {
    let args = vec![
        "incremental-child".to_owned(),
        sim.url(),
        out.display().to_string(),
        reconcile_hours.to_string(),
    ];
    // Waited for on a blocking thread so the simulator keeps serving.
    let child = tokio::task::spawn_blocking(move || measure::run_child(&args))
        .await
        .expect("the child finishes");
    Measured {
        summary: serde_json::from_value(child.reply["summary"].clone()).expect("a run summary"),
        wall: child.wall,
        cpu: child.cpu,
        rss_mb: child.reply["peak_rss_kb"].as_u64().unwrap_or(0) as f64 / 1024.0,
    }
}

/// Child mode: `incremental-child <org-url> <out-dir> <reconcile-hours>` runs the hourly
/// groups once (incremental when the state allows) and prints the summary.
pub fn child_main(args: &[String]) -> ExitCode {
    let [org_url, out, reconcile_hours] = args else {
        eprintln!("usage: incremental-child <org-url> <out-dir> <reconcile-hours>");
        return ExitCode::from(2);
    };
    let reconcile_hours: i64 = reconcile_hours.parse().expect("hours");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let summary = runtime.block_on(async {
        let options = Options {
            refresh: RefreshPolicy {
                mode: RefreshMode::Auto,
                // Zero: the run is a reconciliation (its full run is "old enough").
                reconcile_every: chrono::Duration::hours(reconcile_hours)
                    .max(chrono::Duration::milliseconds(1)),
                // The benchmark's hours pass in seconds: an overlap of minutes would read
                // every earlier hour's changes again.
                overlap: chrono::Duration::seconds(1),
            },
            ..okta_ingest::env::Environment::read()
                .expect("the environment")
                .options
        };
        let (id, rt) = crate::bench_runtime(org_url, out, options);
        let plan: Vec<_> = GROUPS
            .iter()
            .map(|g| (*g, g.resources.iter().map(|r| r.name).collect()))
            .collect();
        let summary = runner::run(&rt, &Target::Tenant(id), &plan, &Window::Live, None)
            .await
            .expect("the run");
        // Run ids are whole seconds: the next run gets its own.
        std::thread::sleep(Duration::from_millis(1100));
        summary
    });
    let peak_rss_kb = measure::own_peak_rss_kb();
    println!(
        "{}",
        serde_json::json!({"summary": summary, "peak_rss_kb": peak_rss_kb})
    );
    ExitCode::SUCCESS
}
