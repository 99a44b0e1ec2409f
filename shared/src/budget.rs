//! A run's time: the deadline it must be done by, the margin kept back before it to close parts
//! and write manifests, and how long its leases hold.

use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::runtime::Options;

/// The instant a run must be done by: Lambda's deadline if it is a real one, else the
/// configured time budget from `started`, else none.
pub(crate) fn run_deadline(
    options: &Options,
    deadline: Option<SystemTime>,
    started: Instant,
) -> Option<Instant> {
    usable_deadline(deadline).or_else(|| options.time_budget.map(|b| started + b))
}

/// Until when a run's leases hold: a little past the deadline (Lambda ends the run there), or,
/// with no deadline, a bounded stretch that the run stops short of.
pub(crate) fn lease_until(deadline: Option<Instant>) -> DateTime<Utc> {
    match deadline {
        Some(d) => utc_in(d.saturating_duration_since(Instant::now()) + LEASE_GRACE),
        None => utc_in(UNBOUNDED_LEASE),
    }
}

/// How long a lease lasts past the deadline, and how long without one.
pub(crate) const LEASE_GRACE: Duration = Duration::from_secs(5);
pub(crate) const UNBOUNDED_LEASE: Duration = Duration::from_secs(15 * 60);

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
pub(crate) fn safety_margin(deadline: Instant) -> Duration {
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
