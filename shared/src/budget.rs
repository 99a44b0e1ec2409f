//! A run's time: the deadline it must be done by, the margin kept back before it to close parts
//! and write manifests, how long its leases hold and how long one waits for a continuation.
//! Built once per invocation; every part of the run takes its instants from here.

use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::runtime::Options;

/// A run's time, built once from what the invoker gives: the deadline (Lambda's, if it is a
/// real one, else the configured time budget, else none), the margin kept before it, how long
/// leases hold and for how long one is handed to a continuation.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Option<Instant>,
}

/// One tenant's share of a [`Budget`], fixed when its run starts.
#[derive(Debug, Clone, Copy)]
pub struct TenantTime {
    /// No new page or fan-out call is started after this instant.
    pub stop_at: Option<Instant>,
    /// The Okta client refuses to wait past this (a little after `stop_at`).
    pub client_deadline: Option<Instant>,
    /// When the System Log stops polling: `stop_at`, or with no deadline a bounded stretch
    /// inside its lease.
    pub log_stop_at: Option<Instant>,
    /// Until when the run's leases hold.
    pub lease_until: DateTime<Utc>,
}

impl Budget {
    /// `started`: when the invocation started, from which a configured time budget counts.
    pub fn new(options: &Options, deadline: Option<SystemTime>, started: Instant) -> Self {
        Self {
            deadline: usable_deadline(deadline)
                .or_else(|| options.time_budget.map(|b| started + b)),
        }
    }

    /// Until when a run's leases hold: a little past the deadline (Lambda ends the run there),
    /// or, with no deadline, a bounded stretch that the run stops short of.
    pub fn lease_until(&self) -> DateTime<Utc> {
        match self.deadline {
            Some(d) => utc_in(d.saturating_duration_since(Instant::now()) + LEASE_GRACE),
            None => utc_in(UNBOUNDED_LEASE),
        }
    }

    /// Until when a lease handed to a continuation's message is kept for it.
    pub fn handoff_until(&self) -> DateTime<Utc> {
        Utc::now() + HANDOFF
    }

    /// A tenant's times, from now: it stops a safety margin before the deadline, and its
    /// client half that margin before.
    pub fn for_tenant(&self) -> TenantTime {
        let (stop_at, client_deadline) = match self.deadline {
            Some(d) => {
                let margin = safety_margin(d);
                (Some(d - margin), Some(d - margin / 2))
            }
            None => (None, None),
        };
        let log_stop_at = match self.deadline {
            Some(_) => stop_at,
            None => Some(Instant::now() + UNBOUNDED_LEASE - LEASE_GRACE * 3),
        };
        TenantTime {
            stop_at,
            client_deadline,
            log_stop_at,
            lease_until: self.lease_until(),
        }
    }
}

/// How long a lease lasts past the deadline, and how long without one.
const LEASE_GRACE: Duration = Duration::from_secs(5);
const UNBOUNDED_LEASE: Duration = Duration::from_secs(15 * 60);
/// How long a continuation's message has to take the lease handed to it. It is normally
/// picked up within seconds; if it has not been in this long (a queue backed up at its
/// maximum concurrency, or a message gone), the lease lapses and the next tick may run.
const HANDOFF: chrono::Duration = chrono::Duration::minutes(15);

/// The UTC time `after` from now.
fn utc_in(after: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(after).unwrap_or_default()
}

/// Lambda's deadline as an `Instant`, unless it is no real deadline: `Context::default()` has
/// 0 and `cargo lambda watch` sends a constant in 1970.
fn usable_deadline(deadline: Option<SystemTime>) -> Option<Instant> {
    let deadline = deadline?;
    let left = deadline.duration_since(SystemTime::now()).ok()?;
    let plausible =
        deadline.duration_since(SystemTime::UNIX_EPOCH).ok()? > Duration::from_secs(1_000_000_000);
    plausible.then(|| Instant::now() + left)
}

/// Time kept back before the deadline to close parts and write manifests.
fn safety_margin(deadline: Instant) -> Duration {
    let left = deadline.saturating_duration_since(Instant::now());
    (left / 5).clamp(Duration::from_secs(2), Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implausible_deadlines_are_unknown() {
        assert!(usable_deadline(None).is_none());
        assert!(
            usable_deadline(Some(
                SystemTime::UNIX_EPOCH + Duration::from_millis(600_000)
            ))
            .is_none()
        );
        assert!(usable_deadline(Some(SystemTime::now() - Duration::from_secs(1))).is_none());
        assert!(usable_deadline(Some(SystemTime::now() + Duration::from_secs(60))).is_some());
    }
}
