//! The terminal display of `run` and `demo`: one line per resource, updated in place while it
//! runs (records, pages, rate-limit waits, retries), replaced by a `✓` line when it is done.
//!
//! It follows what shared code declares for it (see [`okta_ingest::progress`]): the `resource`
//! span each resource's work runs in, and the progress events inside it (a page read, a
//! rate-limit wait, a retry), read with [`progress::decode`] rather than from log lines. An
//! event costs a few atomic adds; nothing happens per record.
//!
//! Not at a terminal (a file, a pipe, CI) — or with `OKTA_INGEST_LOG=json` — there is no display,
//! only the plain log lines of [`okta_ingest::telemetry::init_cli`].

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{
    HumanCount, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};
use okta_ingest::env::Environment;
use okta_ingest::progress;
use okta_ingest::telemetry;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt as _, Targets, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// How often a live line redraws (its spinner turns, its clock and countdown move).
const TICK: Duration = Duration::from_millis(120);

/// Sets up logging for `run` and `demo`. At a terminal: this display, with warnings and errors
/// (or whatever `RUST_LOG` asks for) printed above it; the returned handle clears it. Anywhere
/// else: the plain log lines of [`telemetry::init_cli`], and `None`.
pub fn init(env: &Environment) -> Option<Progress> {
    if !io::stderr().is_terminal() || env.json_logs {
        telemetry::init_cli(env);
        return None;
    }
    let progress = Progress::new(ProgressDrawTarget::stderr(), telemetry::stderr_colours(env));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    subscriber(
        &progress,
        progress.log_writer(),
        filter,
        telemetry::stderr_colours(env),
    )
    .try_init()
    .ok()?;
    Some(progress)
}

/// The display's layer beside log lines written to `logs` (as `filter` selects). The lines name
/// their tenant and resource (`okta_ingest`'s spans) whatever `filter` says of spans.
pub fn subscriber<W>(
    progress: &Progress,
    logs: W,
    filter: EnvFilter,
    ansi: bool,
) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::registry().with(progress.layer()).with(
        tracing_subscriber::fmt::layer()
            .with_writer(logs)
            .with_ansi(ansi)
            .with_filter(filter.or(filter_fn(|meta| {
                meta.is_span() && meta.target().starts_with("okta_ingest")
            }))),
    )
}

/// What one resource has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub pages: u64,
    pub records: u64,
    /// Rate-limit waits: the pacer's and the 429s'.
    pub waits: u64,
    /// Of those, the 429s.
    pub rate_limited: u64,
    /// The waits added up (requests in flight at once may wait at once, so this can exceed the
    /// time the resource took).
    pub wait_ms: u64,
    /// Requests retried after a server error or a failed connection.
    pub retries: u64,
    /// Its `resource` span has closed.
    pub done: bool,
}

/// A handle on the display: its layer, its counters, and the writer that prints above it.
#[derive(Clone)]
pub struct Progress {
    shared: Arc<Shared>,
}

impl Progress {
    /// A display drawing to `target` (`ProgressDrawTarget::hidden()` draws nothing, but counts).
    pub fn new(target: ProgressDrawTarget, colour: bool) -> Self {
        Progress {
            shared: Arc::new(Shared {
                multi: MultiProgress::with_draw_target(target),
                colour,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The layer that feeds the display. It sees `okta_ingest`'s spans at INFO and progress
    /// events at DEBUG.
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + 'static
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let interest = Targets::new()
            .with_target("okta_ingest", Level::INFO)
            .with_target(progress::TARGET, Level::DEBUG);
        ProgressLayer {
            shared: Arc::clone(&self.shared),
        }
        .with_filter(interest)
    }

    /// Every resource seen so far, in the order they started. A resource that starts again
    /// after it was done (a root listed again to feed another group's children) is listed again.
    #[cfg(test)]
    pub fn counters(&self) -> Vec<(String, Counters)> {
        let state = self.shared.state.lock().expect("progress lock");
        state
            .seen
            .iter()
            .map(|s| (s.name.clone(), s.counters()))
            .collect()
    }

    /// Clears whatever lines are still live, before the summary or an error is printed.
    pub fn finish(&self) {
        let open: Vec<Open> = {
            let mut state = self.shared.state.lock().expect("progress lock");
            state.open.drain().map(|(_, open)| open).collect()
        };
        for open in open {
            open.bar.finish_and_clear();
        }
        let _ = self.shared.multi.clear();
    }

    /// A writer for log lines that hides the live lines while it prints, so neither garbles
    /// the other.
    pub fn log_writer(&self) -> AboveBars {
        AboveBars(self.shared.multi.clone())
    }
}

/// See [`Progress::log_writer`].
#[derive(Clone)]
pub struct AboveBars(MultiProgress);

impl<'w> MakeWriter<'w> for AboveBars {
    type Writer = AboveBars;

    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

impl io::Write for AboveBars {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // `fmt` writes a whole line at once.
        self.0.suspend(|| io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

struct Shared {
    multi: MultiProgress,
    colour: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every resource started, in order.
    seen: Vec<Arc<Stats>>,
    /// The resources with open spans, by name.
    open: HashMap<String, Open>,
}

struct Open {
    stats: Arc<Stats>,
    bar: ProgressBar,
    /// Its open `resource` spans (concurrent spans of one resource share a line).
    spans: usize,
}

/// One resource's counters, shared by its spans and its line's renderer.
struct Stats {
    name: String,
    /// The name, and whether it ran before (a root listed again for another group's children).
    label: String,
    started: Instant,
    pages: AtomicU64,
    records: AtomicU64,
    waits: AtomicU64,
    rate_limited: AtomicU64,
    wait_ms: AtomicU64,
    retries: AtomicU64,
    /// Until when (ms after `started`) the latest rate-limit wait lasts.
    waiting_until_ms: AtomicU64,
    done: AtomicBool,
}

impl Stats {
    fn new(name: &str, label: String) -> Self {
        Stats {
            name: name.to_owned(),
            label,
            started: Instant::now(),
            pages: AtomicU64::new(0),
            records: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            wait_ms: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            waiting_until_ms: AtomicU64::new(0),
            done: AtomicBool::new(false),
        }
    }

    fn counters(&self) -> Counters {
        Counters {
            pages: self.pages.load(Relaxed),
            records: self.records.load(Relaxed),
            waits: self.waits.load(Relaxed),
            rate_limited: self.rate_limited.load(Relaxed),
            wait_ms: self.wait_ms.load(Relaxed),
            retries: self.retries.load(Relaxed),
            done: self.done.load(Relaxed),
        }
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn page(&self, records: u64) {
        self.pages.fetch_add(1, Relaxed);
        self.records.fetch_add(records, Relaxed);
    }

    fn wait(&self, wait_ms: u64, rate_limited: bool) {
        self.waits.fetch_add(1, Relaxed);
        self.wait_ms.fetch_add(wait_ms, Relaxed);
        if rate_limited {
            self.rate_limited.fetch_add(1, Relaxed);
        }
        self.waiting_until_ms
            .fetch_max(self.elapsed_ms().saturating_add(wait_ms), Relaxed);
    }

    /// The live line after the name: `  3.2s  1,234 records · 7 pages · …`.
    fn write_live(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        let now = self.elapsed_ms();
        write_clock(now, w)?;
        write_counts(&self.counters(), w)?;
        let until = self.waiting_until_ms.load(Relaxed);
        if until > now {
            write!(w, " · waiting {:.1}s", (until - now) as f64 / 1000.0)?;
        }
        Ok(())
    }

    /// The line printed when the resource is done.
    fn done_line(&self, colour: bool) -> String {
        let mut line = String::new();
        let tick = if colour { "\x1b[32m✓\x1b[0m" } else { "✓" };
        let _ = write!(line, "{tick} {:<LABEL$} ", self.label);
        let _ = write_clock(self.elapsed_ms(), &mut line);
        let _ = write_counts(&self.counters(), &mut line);
        line
    }
}

/// Room for the longest resource name (`custom_role_permissions`).
const LABEL: usize = 23;

/// How long a resource has run, right-aligned: `  0.4s`, ` 12.0s`, `3m05s`.
fn write_clock(ms: u64, w: &mut dyn fmt::Write) -> fmt::Result {
    if ms < 60_000 {
        write!(w, "{:>5.1}s  ", ms as f64 / 1000.0)
    } else {
        let s = ms / 1000;
        write!(w, "{:>2}m{:02}s  ", s / 60, s % 60)
    }
}

fn write_counts(c: &Counters, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(
        w,
        "{} {} · {} {}",
        HumanCount(c.records),
        plural(c.records, "record", "records"),
        HumanCount(c.pages),
        plural(c.pages, "page", "pages"),
    )?;
    if c.waits > 0 {
        write!(
            w,
            " · rate limit: {} {} {:.1}s",
            c.waits,
            plural(c.waits, "wait", "waits"),
            c.wait_ms as f64 / 1000.0
        )?;
        if c.rate_limited > 0 {
            write!(w, " ({} × 429)", c.rate_limited)?;
        }
    }
    if c.retries > 0 {
        write!(
            w,
            " · {} {}",
            c.retries,
            plural(c.retries, "retry", "retries")
        )?;
    }
    Ok(())
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

impl Shared {
    /// A `resource` span opened: its resource's line, started if it has none.
    fn open(&self, name: &str) -> Arc<Stats> {
        let mut state = self.state.lock().expect("progress lock");
        if let Some(open) = state.open.get_mut(name) {
            open.spans += 1;
            return Arc::clone(&open.stats);
        }
        let label = if state.seen.iter().any(|s| s.name == name) {
            format!("{name} (again)")
        } else {
            name.to_owned()
        };
        let stats = Arc::new(Stats::new(name, label));
        let live = Arc::clone(&stats);
        let style = ProgressStyle::with_template(&format!(
            "{{spinner:.cyan}} {{prefix:<{LABEL}}} {{live}}"
        ))
        .expect("a valid template")
        .with_key("live", move |_: &ProgressState, w: &mut dyn fmt::Write| {
            let _ = live.write_live(w);
        });
        let bar = self.multi.add(
            ProgressBar::new_spinner()
                .with_style(style)
                .with_prefix(stats.label.clone()),
        );
        bar.enable_steady_tick(TICK);
        state.seen.push(Arc::clone(&stats));
        state.open.insert(
            name.to_owned(),
            Open {
                stats: Arc::clone(&stats),
                bar,
                spans: 1,
            },
        );
        stats
    }

    /// A `resource` span closed: when it was the resource's last, its line is done.
    fn close(&self, stats: &Arc<Stats>) {
        let bar = {
            let mut state = self.state.lock().expect("progress lock");
            let Some(open) = state.open.get_mut(&stats.name) else {
                return;
            };
            if !Arc::ptr_eq(&open.stats, stats) {
                return;
            }
            open.spans -= 1;
            if open.spans > 0 {
                return;
            }
            state.open.remove(&stats.name).map(|open| open.bar)
        };
        stats.done.store(true, Relaxed);
        // The done line goes above the live ones, which then close up.
        let _ = self.multi.println(stats.done_line(self.colour));
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
}

/// The `tracing` layer behind [`Progress::layer`].
struct ProgressLayer {
    shared: Arc<Shared>,
}

/// In a `resource` span's extensions: whose counters its events add to.
struct Tracked(Arc<Stats>);

impl<S> Layer<S> for ProgressLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "resource" {
            return;
        }
        let mut name = ResourceName(None);
        attrs.record(&mut name);
        let (Some(name), Some(span)) = (name.0, ctx.span(id)) else {
            return;
        };
        let stats = self.shared.open(&name);
        span.extensions_mut().insert(Tracked(stats));
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(declared) = progress::decode(event) else {
            return;
        };
        let Some(stats) = ctx.event_scope(event).and_then(|scope| {
            scope
                .into_iter()
                .find_map(|span| span.extensions().get::<Tracked>().map(|t| Arc::clone(&t.0)))
        }) else {
            return;
        };
        match declared {
            progress::Progress::Page { records } => stats.page(records),
            progress::Progress::Wait {
                wait_ms,
                rate_limited,
            } => stats.wait(wait_ms, rate_limited),
            progress::Progress::Retry => {
                stats.retries.fetch_add(1, Relaxed);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let Some(stats) = span.extensions().get::<Tracked>().map(|t| Arc::clone(&t.0)) else {
            return;
        };
        self.shared.close(&stats);
    }
}

/// A `resource` span's `resource` field.
struct ResourceName(Option<String>);

impl Visit for ResourceName {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "resource" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "resource" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okta_ingest::okta::progress::{retry, wait};
    use okta_ingest::progress::{page, resource_span};
    use okta_ingest::resources;

    const PACER: &str = "okta_ingest::okta::pacer";
    const TRANSPORT: &str = "okta_ingest::okta::transport";

    /// Log lines, kept.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn hidden() -> Progress {
        Progress::new(ProgressDrawTarget::hidden(), false)
    }

    fn counters(progress: &Progress, name: &str) -> Counters {
        let all = progress.counters();
        let mut matching = all.iter().filter(|(n, _)| n == name);
        let (_, c) = matching.next().expect("the resource was seen");
        assert!(matching.next().is_none(), "{name} seen once");
        *c
    }

    #[test]
    fn counts_pages_records_and_waits_per_resource() {
        let progress = hidden();
        let logs = Buffer::default();
        let writer = logs.clone();
        let subscriber = subscriber(
            &progress,
            move || writer.clone(),
            EnvFilter::new("warn"),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            let users = resources::find("users").unwrap();
            let factors = resources::find("user_factors").unwrap();
            let tenant = tracing::info_span!(target: "okta_ingest::runner", "tenant", tenant = "acme", run_id = "r1");
            let _tenant = tenant.enter();
            let users_span = resource_span(users);
            let factors_span = resource_span(factors);
            users_span.in_scope(|| {
                page(200);
                page(200);
                tracing::info!(
                    target: PACER,
                    bucket = "/api/v1/users",
                    wait_ms = 1500u64,
                    "pacing: waiting for the rate-limit window to reset"
                );
                wait(Duration::from_millis(1500), false);
                page(13);
            });
            factors_span.in_scope(|| {
                page(2);
                page(0);
                tracing::warn!(
                    target: TRANSPORT,
                    bucket = "/api/v1/users/{id}/factors",
                    wait_ms = 2000u64,
                    "429 from Okta: waiting for the bucket to reset"
                );
                wait(Duration::from_secs(2), true);
                tracing::warn!(
                    target: TRANSPORT,
                    bucket = "/api/v1/users/{id}/factors",
                    status = 503u16,
                    attempt = 1u32,
                    "Okta server error; retrying"
                );
                retry();
                // A log line alone, however it is worded, is not progress.
                tracing::warn!(target: TRANSPORT, wait_ms = 9u64, attempt = 2u32, "unrelated");
                // Spans inside a resource's (a request's, say) count toward it.
                tracing::info_span!(target: "okta_ingest::okta::client", "request")
                    .in_scope(|| page(1));
            });
            // Outside any resource: not counted.
            page(99);
            wait(Duration::from_millis(10), false);

            assert!(!counters(&progress, "users").done, "its span is open");
            drop(users_span);
            assert!(counters(&progress, "users").done, "its span closed");
            assert!(!counters(&progress, "user_factors").done);
            drop(factors_span);
        });

        assert_eq!(
            progress.counters(),
            vec![
                (
                    "users".to_owned(),
                    Counters {
                        pages: 3,
                        records: 413,
                        waits: 1,
                        rate_limited: 0,
                        wait_ms: 1500,
                        retries: 0,
                        done: true,
                    }
                ),
                (
                    "user_factors".to_owned(),
                    Counters {
                        pages: 3,
                        records: 3,
                        waits: 1,
                        rate_limited: 1,
                        wait_ms: 2000,
                        retries: 1,
                        done: true,
                    }
                ),
            ]
        );
        // The log lines beside the display: the warnings only, never pages or pacing.
        let logs = logs.text();
        let lines: Vec<&str> = logs.lines().collect();
        assert_eq!(lines.len(), 3, "{logs}");
        assert!(lines.iter().all(|l| l.contains("WARN")), "{logs}");
        assert!(lines[0].contains("429 from Okta"), "{logs}");
        assert!(
            lines[0].contains(
                "tenant{tenant=\"acme\" run_id=\"r1\"}:resource{resource=\"user_factors\"}"
            ),
            "{logs}"
        );
        assert!(lines[1].contains("retrying"), "{logs}");
        assert!(lines[2].contains("unrelated"), "{logs}");
    }

    #[test]
    fn concurrent_spans_of_a_resource_share_a_line_and_a_rerun_gets_a_new_one() {
        let progress = hidden();
        let subscriber = tracing_subscriber::registry().with(progress.layer());
        tracing::subscriber::with_default(subscriber, || {
            let groups = resources::find("groups").unwrap();
            let a = resource_span(groups);
            let b = resource_span(groups);
            a.in_scope(|| page(5));
            b.in_scope(|| page(7));
            drop(a);
            assert!(!counters(&progress, "groups").done, "one span still open");
            drop(b);
            assert_eq!(
                counters(&progress, "groups"),
                Counters {
                    pages: 2,
                    records: 12,
                    done: true,
                    ..Counters::default()
                }
            );
            // Listed again later (to feed another group's children): a line of its own.
            resource_span(groups).in_scope(|| page(100));
        });
        let seen = progress.counters();
        assert_eq!(seen.len(), 2);
        assert_eq!((seen[1].1.records, seen[1].1.done), (100, true));
    }

    #[test]
    fn plain_logs_at_info_show_no_progress_events() {
        // `init_cli`'s filter when RUST_LOG is unset.
        let logs = Buffer::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new("info"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            resource_span(resources::find("users").unwrap()).in_scope(|| {
                page(200);
                wait(Duration::from_millis(10), false);
                retry();
                tracing::info!(target: PACER, wait_ms = 10u64, "pacing: waiting for the rate-limit window to reset");
            });
        });
        let logs = logs.text();
        assert_eq!(logs.lines().count(), 1, "{logs}");
        assert!(logs.contains("resource{resource=\"users\"}"), "{logs}");
        assert!(logs.contains("pacing"), "{logs}");
    }

    #[test]
    fn a_done_line_says_what_the_resource_did() {
        let stats = Stats::new("users", "users".into());
        stats.page(200);
        stats.page(1_300);
        stats.wait(1_500, false);
        stats.wait(2_000, true);
        stats.retries.fetch_add(1, Relaxed);
        let line = stats.done_line(false);
        assert_eq!(
            line,
            "✓ users                     0.0s  1,500 records · 2 pages · \
             rate limit: 2 waits 3.5s (1 × 429) · 1 retry"
        );
        let mut live = String::new();
        stats.write_live(&mut live).unwrap();
        assert!(
            live.ends_with(" · waiting 2.0s") || live.ends_with(" · waiting 1.9s"),
            "{live}"
        );
        let mut clock = String::new();
        write_clock(185_000, &mut clock).unwrap();
        assert_eq!(clock, " 3m05s  ");
    }
}
