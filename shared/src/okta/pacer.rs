//! Pacing against Okta's rate-limit buckets, learnt from `X-Rate-Limit-*` on every response.
//!
//! Okta counts requests per org, per bucket, per window (about a minute). We may use only a
//! fraction of each bucket (the customer's other integrations share it, and Okta warns admins as a
//! bucket fills), so before a request we check the last seen `Remaining`, minus the requests
//! already in flight, against the floor `Limit × (1 − fraction)`. At the floor we wait for the
//! window to reset rather than run the bucket dry. Reset times are taken relative to the
//! response's own `Date` header, so our clock's skew does not matter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::error::OktaError;

/// Okta's windows are a minute long; used until a response tells us the real reset.
const ASSUMED_WINDOW: Duration = Duration::from_secs(60);
/// Longest wait a reset header can impose (guards against a wild `Date`).
const MAX_RESET_WAIT: Duration = Duration::from_secs(120);

/// The rate-limit state of one tenant's buckets.
pub struct Pacer {
    fraction: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// `None` until the first response on this bucket.
    limit: Option<u32>,
    remaining: u32,
    reset_at: Instant,
    in_flight: u32,
    /// Set after a 429: nobody sends on this bucket before then.
    blocked_until: Option<Instant>,
}

/// What one response said about its bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitHeaders {
    pub limit: u32,
    pub remaining: u32,
    /// Time until the window resets, by the server's own clock.
    pub reset_in: Duration,
}

impl RateLimitHeaders {
    pub fn parse(headers: &HeaderMap) -> Option<Self> {
        let num =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let limit = num("x-rate-limit-limit")? as u32;
        let remaining = num("x-rate-limit-remaining")? as u32;
        let reset = num("x-rate-limit-reset")?;
        Some(Self {
            limit,
            remaining,
            reset_in: reset_in(headers, reset),
        })
    }
}

/// `X-Rate-Limit-Reset` (epoch seconds) minus the response's `Date`, clamped to a sane range.
pub fn reset_in(headers: &HeaderMap, reset_epoch: u64) -> Duration {
    let server_now = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.timestamp())
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let secs = (reset_epoch as i64 - server_now).max(0) as u64;
    Duration::from_secs(secs).min(MAX_RESET_WAIT)
}

/// A reserved slot for one request on a bucket; hand it the response headers when they arrive.
pub struct Permit<'a> {
    pacer: &'a Pacer,
    key: String,
    open: bool,
}

impl Permit<'_> {
    /// Records what the response said about the bucket and frees the slot.
    pub fn observe(mut self, headers: &HeaderMap) {
        self.open = false;
        let seen = RateLimitHeaders::parse(headers);
        let mut buckets = self.pacer.buckets.lock().expect("pacer lock");
        let Some(b) = buckets.get_mut(&self.key) else {
            return;
        };
        b.in_flight = b.in_flight.saturating_sub(1);
        if let Some(seen) = seen {
            let reset_at = Instant::now() + seen.reset_in;
            // Responses can overtake each other: within one window keep the lowest count.
            let same_window = b.limit.is_some() && reset_at <= b.reset_at + Duration::from_secs(1);
            b.remaining = if same_window {
                b.remaining.min(seen.remaining)
            } else {
                seen.remaining
            };
            b.limit = Some(seen.limit);
            b.reset_at = reset_at;
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.open
            && let Some(b) = self
                .pacer
                .buckets
                .lock()
                .expect("pacer lock")
                .get_mut(&self.key)
        {
            b.in_flight = b.in_flight.saturating_sub(1);
        }
    }
}

impl Pacer {
    pub fn new(fraction: f64) -> Self {
        Self {
            fraction: fraction.clamp(0.01, 1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request on `key` fits within our share, or fails if that would pass `deadline`.
    pub async fn acquire(
        &self,
        key: &str,
        deadline: Option<Instant>,
    ) -> Result<Permit<'_>, OktaError> {
        loop {
            let wait = self.try_reserve(key);
            let Some(wait) = wait else {
                return Ok(Permit {
                    pacer: self,
                    key: key.to_owned(),
                    open: true,
                });
            };
            if let Some(deadline) = deadline
                && Instant::now() + wait > deadline
            {
                return Err(OktaError::Deadline {
                    waited_for: format!("{:.0?} for the rate-limit window to reset", wait),
                });
            }
            tracing::info!(
                bucket = key,
                wait_ms = wait.as_millis() as u64,
                "pacing: waiting for the rate-limit window to reset"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Reserves a slot now (`None`) or says how long to wait.
    fn try_reserve(&self, key: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("pacer lock");
        let b = buckets.entry(key.to_owned()).or_insert_with(|| Bucket {
            limit: None,
            remaining: 0,
            reset_at: now,
            in_flight: 0,
            blocked_until: None,
        });
        if let Some(until) = b.blocked_until {
            if now < until {
                return Some(until - now);
            }
            b.blocked_until = None;
        }
        let Some(limit) = b.limit else {
            b.in_flight += 1;
            return None;
        };
        if now >= b.reset_at {
            // A new window: Okta refills the bucket. The next response says exactly when it ends.
            b.remaining = limit;
            b.reset_at = now + ASSUMED_WINDOW;
        }
        let floor = (f64::from(limit) * (1.0 - self.fraction)).ceil() as u32;
        if b.remaining > b.in_flight + floor {
            b.in_flight += 1;
            None
        } else {
            // A little spread, but not the 429 path's: this wait is planned, not a collision.
            Some(b.reset_at - now + Duration::from_millis(fastrand::u64(0..=100)))
        }
    }

    /// After a 429: hold every request on this bucket until `wait` has passed.
    pub fn block(&self, key: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut buckets = self.buckets.lock().expect("pacer lock");
        if let Some(b) = buckets.get_mut(key) {
            b.remaining = 0;
            b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
        }
    }
}

/// A little randomness so that many clients do not all retry at the same instant.
pub fn jitter() -> Duration {
    Duration::from_millis(fastrand::u64(50..=500))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(limit: u32, remaining: u32, reset_in_secs: i64) -> HeaderMap {
        let now = chrono::Utc::now();
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from(limit));
        h.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
        h.insert(
            "x-rate-limit-reset",
            HeaderValue::from((now.timestamp() + reset_in_secs) as u64),
        );
        h.insert(
            reqwest::header::DATE,
            HeaderValue::from_str(&now.to_rfc2822()).unwrap(),
        );
        h
    }

    #[test]
    fn reset_is_measured_against_the_servers_date() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-reset", HeaderValue::from(1_700_000_030u64));
        h.insert(
            reqwest::header::DATE,
            HeaderValue::from_static("Tue, 14 Nov 2023 22:13:20 GMT"), // 1_700_000_000
        );
        assert_eq!(reset_in(&h, 1_700_000_030), Duration::from_secs(30));
        // A reset in the server's past means "now", and a wild one is capped.
        assert_eq!(reset_in(&h, 1_600_000_000), Duration::ZERO);
        assert_eq!(reset_in(&h, 1_800_000_000), MAX_RESET_WAIT);
    }

    #[tokio::test]
    async fn stops_at_the_floor_counting_requests_in_flight() {
        let pacer = Pacer::new(0.5);
        let first = pacer.acquire("/api/v1/users", None).await.unwrap();
        first.observe(&headers(10, 8, 30)); // floor = 5, so 3 more may go
        let a = pacer.acquire("/api/v1/users", None).await.unwrap();
        let b = pacer.acquire("/api/v1/users", None).await.unwrap();
        let c = pacer.acquire("/api/v1/users", None).await.unwrap();
        let wait = pacer
            .try_reserve("/api/v1/users")
            .expect("must wait at the floor");
        assert!(wait >= Duration::from_secs(29), "{wait:?}");
        // Another bucket is independent.
        assert!(pacer.try_reserve("/api/v1/groups").is_none());
        drop((a, b, c));
    }

    #[tokio::test]
    async fn refuses_to_wait_past_the_deadline() {
        let pacer = Pacer::new(0.5);
        pacer
            .acquire("k", None)
            .await
            .unwrap()
            .observe(&headers(10, 5, 30));
        let err = pacer
            .acquire("k", Some(Instant::now() + Duration::from_secs(1)))
            .await
            .err()
            .unwrap();
        assert_eq!(err.kind(), "deadline");
    }

    #[tokio::test]
    async fn a_429_blocks_the_bucket() {
        let pacer = Pacer::new(1.0);
        pacer
            .acquire("k", None)
            .await
            .unwrap()
            .observe(&headers(10, 9, 30));
        pacer.block("k", Duration::from_secs(5));
        let wait = pacer.try_reserve("k").unwrap();
        assert!(wait > Duration::from_secs(4));
    }
}
