//! Pacing against Okta's rate limits, learnt from `X-Rate-Limit-*` on every response: each
//! bucket's window, and the org's limit on requests in flight at once.
//!
//! Okta counts requests per org, per bucket (see `buckets`), per window (about a minute). We may
//! use only a fraction of each bucket (the customer's other integrations share it, and Okta warns
//! admins as a bucket fills), so before a request we check the bucket's last seen `Remaining`,
//! minus the requests in flight on the whole bucket, against the floor `Limit × (1 − fraction)`.
//! At the floor we wait for the window to reset rather than run the bucket dry: never longer
//! than that window. Reset times are taken relative to the response's own `Date` header, so our
//! clock's skew does not matter.
//!
//! Okta also limits the requests an org has in flight at once, whatever their bucket, and
//! refuses one over it with a 429 whose `Limit` and `Remaining` are 0 and whose `Reset` is only
//! an estimate. Such an answer says nothing about the bucket, so it teaches no limit. Instead the
//! tenant keeps half as many requests in flight, halving again while refusals keep coming, and
//! doubles back after a quiet spell.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;

/// Okta's windows are a minute long; used until a response tells us the real reset.
const ASSUMED_WINDOW: Duration = Duration::from_secs(60);
/// The longest a bucket's window can be: a minute, plus a second because Okta's `Reset` and
/// `Date` are whole seconds. A reset further ahead (a wild `Date`) is not waited for.
const MAX_WINDOW: Duration = Duration::from_secs(61);
/// After this long without a refusal for concurrency, the tenant may keep twice as many
/// requests in flight again, up to what it had before the first refusal.
const CONCURRENCY_QUIET: Duration = Duration::from_secs(30);

/// The rate-limit state of one tenant: its buckets, and its requests in flight.
pub struct Pacer {
    fraction: f64,
    state: Mutex<State>,
    /// Woken whenever a request leaves flight, for those waiting on one.
    released: Notify,
}

#[derive(Default)]
struct State {
    buckets: HashMap<&'static str, Bucket>,
    /// Requests in flight on all buckets together.
    in_flight: u32,
    /// Set after Okta's concurrency limit refused a request.
    cap: Option<Cap>,
    /// Counts the halvings of the cap: a refusal of a request sent before the latest halving
    /// belongs to the burst that caused it, and halves nothing again.
    halvings: u64,
}

#[derive(Debug)]
struct Bucket {
    /// `None` until the first response on this bucket; never 0.
    limit: Option<u32>,
    remaining: u32,
    reset_at: Instant,
    in_flight: u32,
    /// Set after a 429: nobody sends on this bucket before then.
    blocked_until: Option<Instant>,
}

/// How many requests the tenant may have in flight, after Okta's concurrency limit refused one.
#[derive(Debug, Clone, Copy)]
struct Cap {
    limit: u32,
    /// In flight before the first refusal: reaching it again lifts the cap.
    before: u32,
    /// When the cap last moved.
    moved: Instant,
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

    /// Okta's sign of a refusal over the org's concurrency limit: a bucket of no size.
    pub fn concurrency_limit(&self) -> bool {
        self.limit == 0
    }
}

/// `X-Rate-Limit-Reset` (epoch seconds) minus the response's `Date`, clamped to a window.
pub fn reset_in(headers: &HeaderMap, reset_epoch: u64) -> Duration {
    let server_now = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.timestamp())
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let secs = (reset_epoch as i64 - server_now).max(0) as u64;
    Duration::from_secs(secs).min(MAX_WINDOW)
}

/// Whether a request may go now.
pub enum Reservation<'a> {
    Go(Permit<'a>),
    /// Its bucket is at our floor, or held after a 429: ask again after this long.
    Wait(Duration),
    /// Ask again when a request in flight ends: the tenant has all it may in flight, or the
    /// bucket's first request has not yet said how big the bucket is.
    Full,
}

/// A reserved slot for one request; hand it the response headers when they arrive.
pub struct Permit<'a> {
    pacer: &'a Pacer,
    key: &'static str,
    /// The cap's halvings when the request was sent.
    halvings: u64,
    open: bool,
}

impl Permit<'_> {
    /// Records what the response said about the bucket and frees the slot.
    pub fn observe(mut self, headers: &HeaderMap) {
        self.open = false;
        let seen = RateLimitHeaders::parse(headers).filter(|h| !h.concurrency_limit());
        let mut state = self.pacer.lock();
        state.leave(self.key);
        let b = state.bucket(self.key, Instant::now());
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
        drop(state);
        self.pacer.released.notify_waiters();
    }

    /// Okta refused the request as over the org's concurrency limit: the tenant keeps half as
    /// many requests in flight (once per burst of refusals), and the bucket learns nothing.
    pub fn refused_for_concurrency(mut self) {
        self.open = false;
        let now = Instant::now();
        let mut state = self.pacer.lock();
        // Counted before it leaves: it was in flight when Okta refused it.
        let in_flight = state.in_flight;
        state.leave(self.key);
        if self.halvings == state.halvings {
            let cap = state.cap.unwrap_or(Cap {
                limit: in_flight,
                before: in_flight,
                moved: now,
            });
            let limit = (cap.limit / 2).max(1);
            state.cap = Some(Cap {
                limit,
                moved: now,
                ..cap
            });
            state.halvings += 1;
            tracing::warn!(
                in_flight_limit = limit,
                "Okta's concurrency limit refused a request: fewer requests in flight for a while"
            );
        }
        drop(state);
        self.pacer.released.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.open {
            self.pacer.lock().leave(self.key);
            self.pacer.released.notify_waiters();
        }
    }
}

impl State {
    fn bucket(&mut self, key: &'static str, now: Instant) -> &mut Bucket {
        self.buckets.entry(key).or_insert_with(|| Bucket {
            limit: None,
            remaining: 0,
            reset_at: now,
            in_flight: 0,
            blocked_until: None,
        })
    }

    fn leave(&mut self, key: &'static str) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(b) = self.buckets.get_mut(key) {
            b.in_flight = b.in_flight.saturating_sub(1);
        }
    }

    /// After a quiet spell the cap doubles, and goes once it is back where it started.
    fn relax(&mut self, now: Instant) {
        let Some(cap) = &mut self.cap else {
            return;
        };
        if now.saturating_duration_since(cap.moved) >= CONCURRENCY_QUIET {
            cap.limit = cap.limit.saturating_mul(2);
            cap.moved = now;
            if cap.limit >= cap.before {
                self.cap = None;
            }
        }
    }
}

impl Pacer {
    pub fn new(fraction: f64) -> Self {
        Self {
            fraction: fraction.clamp(0.01, 1.0),
            state: Mutex::default(),
            released: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("pacer lock")
    }

    /// A future that completes when a request leaves flight. Take it (and enable it) before
    /// [`Pacer::reserve`] says `Full`, so that no release is missed in between.
    pub fn released(&self) -> Notified<'_> {
        self.released.notified()
    }

    /// Reserves a slot on `key`'s bucket now, or says what to wait for.
    pub fn reserve(&self, key: &'static str) -> Reservation<'_> {
        self.reserve_at(key, Instant::now())
    }

    fn reserve_at(&self, key: &'static str, now: Instant) -> Reservation<'_> {
        let fraction = self.fraction;
        let mut state = self.lock();
        state.relax(now);
        let full = state.cap.is_some_and(|c| state.in_flight >= c.limit);
        let b = state.bucket(key, now);
        if let Some(until) = b.blocked_until {
            if now < until {
                return Reservation::Wait(until - now);
            }
            b.blocked_until = None;
        }
        match b.limit {
            // The first answer says how big the bucket is; until then, one at a time.
            None if b.in_flight > 0 => return Reservation::Full,
            None => {}
            Some(limit) => {
                if now >= b.reset_at {
                    // A new window: Okta refills the bucket. The next response says when it ends.
                    b.remaining = limit;
                    b.reset_at = now + ASSUMED_WINDOW;
                }
                let floor = (f64::from(limit) * (1.0 - fraction)).ceil() as u32;
                if b.remaining <= b.in_flight + floor {
                    // A little spread, but not the 429 path's: this wait is planned.
                    let spread = Duration::from_millis(fastrand::u64(0..=100));
                    return Reservation::Wait(b.reset_at - now + spread);
                }
            }
        }
        if full {
            return Reservation::Full;
        }
        b.in_flight += 1;
        state.in_flight += 1;
        Reservation::Go(Permit {
            pacer: self,
            key,
            halvings: state.halvings,
            open: true,
        })
    }

    /// After a 429 for the bucket: hold every request on it until `wait` has passed.
    pub fn block(&self, key: &'static str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        let b = state.bucket(key, Instant::now());
        b.remaining = 0;
        b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
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

    fn go<'a>(pacer: &'a Pacer, key: &'static str) -> Permit<'a> {
        match pacer.reserve(key) {
            Reservation::Go(permit) => permit,
            Reservation::Wait(wait) => panic!("waits {wait:?}"),
            Reservation::Full => panic!("full"),
        }
    }

    fn wait(pacer: &Pacer, key: &'static str) -> Duration {
        match pacer.reserve(key) {
            Reservation::Wait(wait) => wait,
            _ => panic!("does not wait"),
        }
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
        // A reset in the server's past means "now", and a wild one is one window.
        assert_eq!(reset_in(&h, 1_600_000_000), Duration::ZERO);
        assert_eq!(reset_in(&h, 1_800_000_000), MAX_WINDOW);
    }

    #[test]
    fn stops_at_the_floor_counting_requests_in_flight() {
        let pacer = Pacer::new(0.5);
        go(&pacer, "/api/v1/users").observe(&headers(10, 8, 30)); // floor = 5, so 3 more may go
        let held: Vec<_> = (0..3).map(|_| go(&pacer, "/api/v1/users")).collect();
        let waited = wait(&pacer, "/api/v1/users");
        assert!(waited >= Duration::from_secs(29), "{waited:?}");
        assert!(waited <= MAX_WINDOW + Duration::from_millis(100));
        // Another bucket is independent.
        drop(go(&pacer, "/api/v1/groups"));
        drop(held);
    }

    #[test]
    fn a_bucket_sends_one_request_until_its_first_answer() {
        let pacer = Pacer::new(0.5);
        let first = go(&pacer, "/api/v1/apps*");
        assert!(matches!(pacer.reserve("/api/v1/apps*"), Reservation::Full));
        first.observe(&headers(10, 9, 30));
        let _second = go(&pacer, "/api/v1/apps*");
        let _third = go(&pacer, "/api/v1/apps*");
    }

    #[test]
    fn a_concurrency_429_teaches_no_limit() {
        let pacer = Pacer::new(0.5);
        go(&pacer, "k").observe(&headers(10, 8, 30));
        // Okta's answer over the concurrency limit: Limit 0, Remaining 0.
        go(&pacer, "k").observe(&headers(0, 0, 30));
        go(&pacer, "k").refused_for_concurrency();
        drop(go(&pacer, "k"));
        assert_eq!(pacer.lock().buckets["k"].limit, Some(10));
    }

    #[test]
    fn concurrency_refusals_halve_what_is_in_flight_once_per_burst_then_it_recovers() {
        let pacer = Pacer::new(1.0);
        go(&pacer, "k").observe(&headers(100, 99, 30));
        let mut burst: Vec<_> = (0..8).map(|_| go(&pacer, "k")).collect();
        // Eight in flight, all refused: one halving for the burst, to four.
        for permit in burst.drain(..) {
            permit.refused_for_concurrency();
        }
        let four: Vec<_> = (0..4).map(|_| go(&pacer, "k")).collect();
        assert!(matches!(pacer.reserve("k"), Reservation::Full));
        // A refusal of a request sent under the new cap halves again.
        let mut four = four.into_iter();
        four.next().unwrap().refused_for_concurrency();
        assert!(
            matches!(pacer.reserve("k"), Reservation::Full),
            "three in flight, cap two"
        );
        drop(four);
        let held: Vec<_> = (0..2).map(|_| go(&pacer, "k")).collect();
        assert!(matches!(pacer.reserve("k"), Reservation::Full));

        // Quiet spells double it back, and the cap goes at the eight it started from.
        let later = Instant::now() + CONCURRENCY_QUIET;
        assert!(matches!(pacer.reserve_at("k", later), Reservation::Go(_)));
        assert_eq!(pacer.lock().cap.map(|c| c.limit), Some(4));
        pacer.reserve_at("k", later + CONCURRENCY_QUIET);
        assert!(pacer.lock().cap.is_none(), "back to eight: no cap");
        drop(held);
        assert_eq!(pacer.lock().in_flight, 0, "every slot was given back");
    }

    #[test]
    fn a_429_blocks_the_bucket() {
        let pacer = Pacer::new(1.0);
        go(&pacer, "k").observe(&headers(10, 9, 30));
        pacer.block("k", Duration::from_secs(5));
        let waited = wait(&pacer, "k");
        assert!(waited > Duration::from_secs(4) && waited <= Duration::from_secs(5));
    }
}
