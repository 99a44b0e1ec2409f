//! Running one scenario and measuring the child process that ingests it.

use std::fmt;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use okta_ingest::summary::RunSummary;
use okta_sim::Simulator;

use crate::scenarios::Scenario;

/// Targets from the benchmark's brief.
const MAX_RSS_MB: f64 = 64.0;
const MAX_CPU_MS_PER_1000: f64 = 20.0;

/// One scenario's measurements.
pub struct Row {
    name: &'static str,
    records: u64,
    requests: u64,
    minimum: u64,
    wall: Duration,
    cpu: Duration,
    rss_mb: f64,
    bytes: u64,
    rate_limited: u64,
    /// For the rate-limited run: requests ÷ allowed requests per minute (the brief's theory),
    /// and the least time Okta's fixed windows allow (full windows, then the tail).
    theoretical: Option<Duration>,
    windowed: Option<Duration>,
    /// CPU per 1000 records is a target only where records are what costs (not fan-out calls).
    cpu_target: bool,
}

pub async fn run(scenario: &Scenario) -> Row {
    let started = Instant::now();
    let sim = Simulator::start(scenario.sim.clone())
        .await
        .expect("the simulator starts");
    eprintln!(
        "{}: simulator ready in {:.1}s",
        scenario.name,
        started.elapsed().as_secs_f64()
    );
    let out = std::env::temp_dir().join(format!(
        "okta-ingest-bench-{}-{}",
        scenario.name,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let (summary, wall, cpu, peak_rss_kb) = {
        let args = vec![
            "child".to_owned(),
            scenario.name.to_owned(),
            sim.url(),
            out.display().to_string(),
        ];
        // Waited for on a blocking thread so the simulator keeps serving.
        let child = tokio::task::spawn_blocking(move || run_child(&args))
            .await
            .expect("the child finishes");
        let summary: RunSummary =
            serde_json::from_value(child.reply["summary"].clone()).expect("a run summary");
        let peak_rss_kb = child.reply["peak_rss_kb"].as_u64().unwrap_or(0);
        (summary, child.wall, child.cpu, peak_rss_kb)
    };
    let tenant = &summary.tenants[0];
    let records = tenant.resources.iter().map(|r| r.records).sum();
    let row = Row {
        name: scenario.name,
        records,
        requests: tenant.requests.requests,
        minimum: scenario.minimum_requests(&sim.dataset()),
        wall,
        cpu,
        rss_mb: peak_rss_kb as f64 / 1024.0,
        bytes: folder_bytes(&out),
        rate_limited: tenant.requests.rate_limited,
        theoretical: scenario.allowed_per_minute.map(|per_minute| {
            Duration::from_secs_f64(tenant.requests.requests as f64 / per_minute * 60.0)
        }),
        windowed: scenario.windowed_bound(tenant.requests.requests),
        // Per-record CPU is the target where records are the work; fan-out scenarios (`+`)
        // are bound by their calls.
        cpu_target: !scenario.name.contains('+'),
    };
    for r in &tenant.resources {
        if r.status != okta_ingest::manifest::Status::Complete {
            eprintln!(
                "{}: {} is {:?}: {:?}",
                scenario.name, r.resource, r.status, r.reason
            );
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    row
}

/// One run of this program as a child: the JSON it printed, its wall time and its own CPU.
pub struct ChildRun {
    pub reply: serde_json::Value,
    pub wall: Duration,
    pub cpu: Duration,
}

/// Runs this program with `args` as a child (logging warnings only) and waits for it; blocks.
pub fn run_child(args: &[String]) -> ChildRun {
    let exe = std::env::current_exe().expect("own path");
    let started = Instant::now();
    // `wait4` (in `wait_for_cpu`), not `Child::wait`, reaps it, to read its own CPU time.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(exe)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut stdout)
        .expect("the child's output");
    let cpu = wait_for_cpu(child.id() as libc::pid_t);
    ChildRun {
        reply: serde_json::from_str(stdout.trim()).expect("the child prints its reply"),
        wall: started.elapsed(),
        cpu,
    }
}

/// Waits for the child and returns its own CPU time (user + system).
fn wait_for_cpu(pid: libc::pid_t) -> Duration {
    let mut status = 0;
    // SAFETY: `rusage` is plain old data that wait4 fills in; `pid` is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 on the child");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed"
    );
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Peak RSS as the kernel counts it for this program alone: `wait4`'s maxrss would also
/// count the parent's pages a child shared between fork and exec.
pub fn own_peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0)
}

/// Bytes of the parts written (manifests excluded).
fn folder_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("_manifests") {
                    stack.push(path);
                }
            } else {
                total += entry.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

impl Row {
    /// No 429, and within 10 % of the windowed bound (which the brief's theory approaches as
    /// runs span many windows).
    fn pacing_met(&self) -> bool {
        self.windowed.is_none_or(|w| {
            self.rate_limited == 0
                && (self.wall.as_secs_f64() - w.as_secs_f64()).abs() <= w.as_secs_f64() * 0.1
        })
    }

    fn cpu_ms_per_1000(&self) -> f64 {
        self.cpu.as_secs_f64() * 1000.0 / (self.records.max(1) as f64 / 1000.0)
    }

    pub fn targets_met(&self) -> bool {
        self.requests == self.minimum
            && self.rss_mb <= MAX_RSS_MB
            && (!self.cpu_target || self.cpu_ms_per_1000() <= MAX_CPU_MS_PER_1000)
            && self.pacing_met()
    }

    pub fn header() -> String {
        format!(
            "{:<24} {:>9} {:>8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>10} {:>5} {:>9} {:>9}  {}",
            "scenario",
            "records",
            "requests",
            "minimum",
            "wall s",
            "cpu s",
            "cpu ms/1k",
            "rss MB",
            "output MB",
            "429s",
            "theory s",
            "window s",
            "targets"
        )
    }

    pub fn legend() -> String {
        format!(
            "targets: requests = minimum; peak RSS ≤ {MAX_RSS_MB} MB; ≤ {MAX_CPU_MS_PER_1000} ms CPU per 1,000 records \
             (record scenarios; fan-out scenarios are bound by calls, not records); rate-limited run within 10 % of the windowed bound (window s: full windows of the allowed share, then the tail) with no 429"
        )
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut misses = Vec::new();
        if self.requests != self.minimum {
            misses.push("requests");
        }
        if self.rss_mb > MAX_RSS_MB {
            misses.push("rss");
        }
        if self.cpu_target && self.cpu_ms_per_1000() > MAX_CPU_MS_PER_1000 {
            misses.push("cpu");
        }
        if !self.pacing_met() {
            misses.push("pacing");
        }
        let verdict = if misses.is_empty() {
            "met".to_owned()
        } else {
            format!("NOT met: {}", misses.join(", "))
        };
        write!(
            f,
            "{:<24} {:>9} {:>8} {:>8} {:>8.1} {:>8.2} {:>10.2} {:>8.1} {:>10.2} {:>5} {:>9} {:>9}  {}",
            self.name,
            self.records,
            self.requests,
            self.minimum,
            self.wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.cpu_ms_per_1000(),
            self.rss_mb,
            self.bytes as f64 / 1_048_576.0,
            self.rate_limited,
            self.theoretical
                .map_or("-".to_owned(), |t| format!("{:.1}", t.as_secs_f64())),
            self.windowed
                .map_or("-".to_owned(), |t| format!("{:.1}", t.as_secs_f64())),
            verdict
        )
    }
}
