//! The progress events a display follows, declared: a page read, a rate-limit wait, a retry.
//!
//! They are `tracing` events under their own [`TARGET`], apart from log lines, and [`decode`]
//! reads them back, so the names they travel under live only here: a display never infers
//! progress from the wording or level of a log line. They are DEBUG, so logs at the default
//! level never show them. (They live in `okta/` because the client, which imports nothing
//! else of the crate, emits two of them; `crate::progress` adds the resource span.)

use std::time::Duration;

use tracing::field::{Field, Visit};

/// The `tracing` target of progress events.
pub const TARGET: &str = "okta_ingest::progress";

/// One progress event, as a display reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A page read, holding `records` records.
    Page { records: u64 },
    /// A wait before a request: our own pacing below the bucket's limit, or a 429 from Okta.
    Wait { wait_ms: u64, rate_limited: bool },
    /// A request sent again after a server error or a failed connection.
    Retry,
}

/// A page read, holding `records` records.
pub fn page(records: usize) {
    tracing::debug!(target: TARGET, progress = "page", records = records as u64);
}

/// A wait of `wait` before a request; `rate_limited` when Okta answered 429.
pub fn wait(wait: Duration, rate_limited: bool) {
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(target: TARGET, progress = "wait", wait_ms, rate_limited);
}

/// A request about to be sent again.
pub fn retry() {
    tracing::debug!(target: TARGET, progress = "retry");
}

/// The progress an event declares, if it is one of the above.
pub fn decode(event: &tracing::Event<'_>) -> Option<Progress> {
    if event.metadata().target() != TARGET {
        return None;
    }
    let mut fields = Fields::default();
    event.record(&mut fields);
    match fields.progress? {
        "page" => Some(Progress::Page {
            records: fields.records?,
        }),
        "wait" => Some(Progress::Wait {
            wait_ms: fields.wait_ms?,
            rate_limited: fields.rate_limited,
        }),
        "retry" => Some(Progress::Retry),
        _ => None,
    }
}

/// The fields of a progress event.
#[derive(Default)]
struct Fields {
    progress: Option<&'static str>,
    records: Option<u64>,
    wait_ms: Option<u64>,
    rate_limited: bool,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "progress" {
            self.progress = ["page", "wait", "retry"].into_iter().find(|k| *k == value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "records" => self.records = Some(value),
            "wait_ms" => self.wait_ms = Some(value),
            _ => {}
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "rate_limited" {
            self.rate_limited = value;
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

    use super::*;

    /// Keeps what [`decode`] makes of every event.
    struct Decoded(Arc<Mutex<Vec<Option<Progress>>>>);

    impl<S: tracing::Subscriber> Layer<S> for Decoded {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            self.0.lock().unwrap().push(decode(event));
        }
    }

    #[test]
    fn what_is_emitted_decodes_and_log_lines_do_not() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Decoded(Arc::clone(&seen)));
        tracing::subscriber::with_default(subscriber, || {
            page(200);
            wait(Duration::from_millis(1500), false);
            wait(Duration::from_secs(2), true);
            retry();
            // A log line with the same fields is not progress.
            tracing::warn!(wait_ms = 10u64, attempt = 1u32, "429 from Okta");
        });
        assert_eq!(
            *seen.lock().unwrap(),
            [
                Some(Progress::Page { records: 200 }),
                Some(Progress::Wait {
                    wait_ms: 1500,
                    rate_limited: false
                }),
                Some(Progress::Wait {
                    wait_ms: 2000,
                    rate_limited: true
                }),
                Some(Progress::Retry),
                None,
            ]
        );
    }
}
