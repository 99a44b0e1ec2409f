//! Okta's per-bucket rate limits: each bucket allows N requests per window, the window
//! starting at its first request (not on wall-clock minutes), and every response reports the
//! bucket in `X-Rate-Limit-*` headers. A request over the org's concurrency limit reports
//! `Limit: 0`, `Remaining: 0` and a `Reset` that is only an estimate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::SimConfig;

/// A group of endpoints sharing one quota, as on Okta's rate-limit dashboard. The most
/// specific bucket wins: `/api/v1/users` (the list) is not `/api/v1/users/*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// Exactly `/api/v1/users`.
    UsersList,
    /// `/api/v1/users/*`: single users and their sub-resources (factors, roles, …).
    Users,
    /// Exactly `/api/v1/groups`.
    GroupsList,
    /// `/api/v1/groups/*`: members, rules, roles.
    Groups,
    /// `/api/v1/apps` and every `/api/v1/apps/*` sub-resource: the small one.
    Apps,
    /// `/api/v1/logs`.
    Logs,
    /// `/api/v1/devices*`.
    Devices,
    /// `POST /oauth2/v1/token`.
    Token,
    /// Everything else.
    Other,
}

impl Bucket {
    pub const ALL: [Bucket; 9] = [
        Bucket::UsersList,
        Bucket::Users,
        Bucket::GroupsList,
        Bucket::Groups,
        Bucket::Apps,
        Bucket::Logs,
        Bucket::Devices,
        Bucket::Token,
        Bucket::Other,
    ];

    pub fn for_path(path: &str) -> Bucket {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if path == "/api/v1/users" {
            Bucket::UsersList
        } else if under("/api/v1/users") {
            Bucket::Users
        } else if path == "/api/v1/groups" {
            Bucket::GroupsList
        } else if under("/api/v1/groups") {
            Bucket::Groups
        } else if under("/api/v1/apps") {
            Bucket::Apps
        } else if under("/api/v1/logs") {
            Bucket::Logs
        } else if under("/api/v1/devices") {
            Bucket::Devices
        } else if path == "/oauth2/v1/token" {
            Bucket::Token
        } else {
            Bucket::Other
        }
    }
}

/// What the `X-Rate-Limit-*` headers of one response say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds when the window ends, rounded up: a client sleeping until then (by the
    /// `Date` header, which is rounded down) never comes back early.
    pub reset: u64,
}

impl Quota {
    /// A 429 announced ahead of the buckets (fault injection): nothing left until `reset_after`.
    pub fn exhausted_for(limit: u32, reset_after: Duration) -> Quota {
        Quota {
            limit,
            remaining: 0,
            reset: epoch_seconds_rounded_up(SystemTime::now() + reset_after),
        }
    }

    /// Okta's answer over the concurrency limit: both counts 0, `reset` an estimate.
    pub fn concurrency(reset: u64) -> Quota {
        Quota {
            limit: 0,
            remaining: 0,
            reset,
        }
    }
}

struct Window {
    ends: Instant,
    ends_wall: SystemTime,
    used: u32,
}

pub(crate) struct RateLimiter {
    limits: HashMap<Bucket, u32>,
    window: Duration,
    windows: Mutex<HashMap<Bucket, Window>>,
}

impl RateLimiter {
    pub fn new(config: &SimConfig) -> Self {
        Self {
            limits: Bucket::ALL
                .iter()
                .map(|&b| (b, config.rate_limit(b)))
                .collect(),
            window: config.rate_limit_window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self, bucket: Bucket) -> u32 {
        self.limits[&bucket]
    }

    /// When `bucket`'s current window ends (epoch seconds, rounded up), or would end if one
    /// started now; nothing is charged.
    pub fn window_end(&self, bucket: Bucket) -> u64 {
        let windows = self.windows.lock().unwrap();
        let ends = match windows.get(&bucket) {
            Some(w) if Instant::now() < w.ends => w.ends_wall,
            _ => SystemTime::now() + self.window,
        };
        epoch_seconds_rounded_up(ends)
    }

    /// Counts one request against its bucket. `Err` means over the limit: answer 429.
    pub fn take(&self, bucket: Bucket) -> Result<Quota, Quota> {
        let limit = self.limit(bucket);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap();
        let window = windows.entry(bucket).or_insert_with(|| Window {
            ends: now,
            ends_wall: SystemTime::now(),
            used: 0,
        });
        if now >= window.ends {
            window.ends = now + self.window;
            window.ends_wall = SystemTime::now() + self.window;
            window.used = 0;
        }
        let reset = epoch_seconds_rounded_up(window.ends_wall);
        if window.used >= limit {
            return Err(Quota {
                limit,
                remaining: 0,
                reset,
            });
        }
        window.used += 1;
        Ok(Quota {
            limit,
            remaining: limit - window.used,
            reset,
        })
    }
}

/// The org's requests in flight, against its concurrency limit.
pub(crate) struct Concurrency {
    limit: Option<u32>,
    in_flight: AtomicU32,
}

/// A request being served; dropping it ends the request.
pub(crate) struct Serving<'a>(&'a AtomicU32);

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Concurrency {
    pub fn new(config: &SimConfig) -> Self {
        Self {
            limit: config.concurrency_limit,
            in_flight: AtomicU32::new(0),
        }
    }

    /// Admits a request, or `None` when the org already serves its limit.
    pub fn enter(&self) -> Option<Serving<'_>> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let serving = Serving(&self.in_flight);
        self.limit
            .is_none_or(|limit| now <= limit)
            .then_some(serving)
    }
}

fn epoch_seconds_rounded_up(time: SystemTime) -> u64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    since.as_secs() + u64::from(since.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_bucket_wins() {
        assert_eq!(Bucket::for_path("/api/v1/users"), Bucket::UsersList);
        assert_eq!(
            Bucket::for_path("/api/v1/users/00u1/factors"),
            Bucket::Users
        );
        assert_eq!(Bucket::for_path("/api/v1/groups"), Bucket::GroupsList);
        assert_eq!(Bucket::for_path("/api/v1/groups/rules"), Bucket::Groups);
        assert_eq!(Bucket::for_path("/api/v1/apps/0oa1/grants"), Bucket::Apps);
        assert_eq!(Bucket::for_path("/api/v1/applications"), Bucket::Other);
        assert_eq!(Bucket::for_path("/api/v1/logs"), Bucket::Logs);
        assert_eq!(Bucket::for_path("/api/v1/org"), Bucket::Other);
    }

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_it_ends() {
        let config = SimConfig::small()
            .with_rate_limit(Bucket::Logs, 2)
            .with_rate_limit_window(Duration::from_millis(200));
        let limiter = RateLimiter::new(&config);
        assert_eq!(limiter.take(Bucket::Logs).unwrap().remaining, 1);
        assert_eq!(limiter.take(Bucket::Logs).unwrap().remaining, 0);
        assert!(limiter.take(Bucket::Logs).is_err());
        assert!(limiter.take(Bucket::Other).is_ok(), "buckets are separate");
        std::thread::sleep(Duration::from_millis(210));
        assert_eq!(limiter.take(Bucket::Logs).unwrap().remaining, 1);
    }
}
