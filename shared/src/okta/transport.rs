//! Sending one request to Okta: pace it, retry what is transient, wait out 429s, count it all,
//! and give up once it has waited its budget.
//!
//! Everything above this (auth, pagination) sees either a final response or a typed error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::{Deserialize, Serialize};

use super::error::{OktaError, request_id};
use super::pacer::{Pacer, Permit, RateLimitHeaders, Reservation, jitter};
use super::progress;
use super::resolver::NonPublicAddress;
use super::retry::RetryPolicy;

/// A complete response: status, headers and the whole body (one page is small).
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Request counters, kept per tenant and per resource, read into summaries and manifests.
#[derive(Debug, Default)]
pub struct RequestCounters {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
}

/// A snapshot of [`RequestCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStats {
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
}

impl RequestStats {
    /// Both together (a continuation adds its requests to the earlier invocations').
    pub fn plus(self, other: RequestStats) -> RequestStats {
        RequestStats {
            requests: self.requests + other.requests,
            retries: self.retries + other.retries,
            rate_limited: self.rate_limited + other.rate_limited,
        }
    }

    /// What happened between two snapshots.
    pub fn since(self, earlier: RequestStats) -> RequestStats {
        RequestStats {
            requests: self.requests - earlier.requests,
            retries: self.retries - earlier.retries,
            rate_limited: self.rate_limited - earlier.rate_limited,
        }
    }
}

impl RequestCounters {
    pub fn snapshot(&self) -> RequestStats {
        RequestStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }
}

/// The paced, retrying sender for one tenant.
pub struct Transport {
    pub(crate) http: reqwest::Client,
    pacer: Pacer,
    retry: RetryPolicy,
    deadline: Option<Instant>,
    pub(crate) counters: RequestCounters,
}

impl Transport {
    pub fn new(
        http: reqwest::Client,
        fraction: f64,
        retry: RetryPolicy,
        deadline: Option<Instant>,
    ) -> Self {
        Self {
            http,
            pacer: Pacer::new(fraction),
            retry,
            deadline,
            counters: RequestCounters::default(),
        }
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Sends the request `build` makes (called again for each attempt, so a signed proof or
    /// assertion is fresh every time) and returns the first response that is not worth retrying.
    /// `bucket` names the rate-limit bucket the request counts against (see `bucket_of`).
    pub async fn send(
        &self,
        bucket: &'static str,
        tally: Option<&RequestCounters>,
        build: impl Fn() -> Result<RequestBuilder, OktaError>,
    ) -> Result<Response, OktaError> {
        let counters = std::iter::once(&self.counters).chain(tally);
        let mut waits = Waits {
            bucket,
            budget: self.retry.max_wait,
            deadline: self.deadline,
            waited: Duration::ZERO,
            rate_limited: 0,
            concurrency: false,
        };
        let mut failures = 0u32;
        let mut concurrency_refusals = 0u32;
        loop {
            let request = build()?;
            let permit = self.acquire(&mut waits).await?;
            counters.clone().for_each(|c| {
                c.requests.fetch_add(1, Ordering::Relaxed);
            });
            // A 429 for Okta's concurrency limit, not for the bucket.
            let mut concurrency = false;
            let outcome = match request.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    concurrency = status == StatusCode::TOO_MANY_REQUESTS
                        && RateLimitHeaders::parse(&headers).is_some_and(|l| l.concurrency_limit());
                    if concurrency {
                        permit.refused_for_concurrency();
                    } else {
                        permit.observe(&headers);
                    }
                    match resp.bytes().await {
                        Ok(body) => Ok(Response {
                            status,
                            headers,
                            body,
                        }),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => {
                    drop(permit);
                    Err(e)
                }
            };
            let wait = match outcome {
                Ok(resp) if resp.status == StatusCode::TOO_MANY_REQUESTS => {
                    waits.rate_limited += 1;
                    counters.clone().for_each(|c| {
                        c.rate_limited.fetch_add(1, Ordering::Relaxed);
                    });
                    waits.concurrency = concurrency;
                    if waits.rate_limited > self.retry.max_rate_limited {
                        return Err(waits.give_up());
                    }
                    let (wait, what) = if concurrency {
                        // Its Reset is only an estimate, and the bucket is not what refused.
                        concurrency_refusals += 1;
                        let wait = self.retry.concurrency_backoff(concurrency_refusals);
                        (wait, "429 from Okta's concurrency limit: backing off")
                    } else {
                        let wait = rate_limit_wait(&resp.headers);
                        self.pacer.block(bucket, wait);
                        (wait, "429 from Okta: waiting for the bucket to reset")
                    };
                    tracing::warn!(
                        bucket,
                        wait_ms = wait.as_millis() as u64,
                        okta_request_id = request_id(&resp.headers).as_deref(),
                        "{what}"
                    );
                    progress::wait(wait, true);
                    wait
                }
                Ok(resp) if resp.status.is_server_error() => {
                    failures += 1;
                    let okta_request_id = request_id(&resp.headers);
                    if failures >= self.retry.max_attempts {
                        return Err(OktaError::Transient {
                            detail: format!("HTTP {}", resp.status.as_u16()),
                            status: Some(resp.status.as_u16()),
                            attempts: failures,
                            request_id: okta_request_id,
                        });
                    }
                    tracing::warn!(
                        bucket,
                        status = resp.status.as_u16(),
                        attempt = failures,
                        okta_request_id = okta_request_id.as_deref(),
                        "Okta server error; retrying"
                    );
                    progress::retry();
                    self.retry.backoff(failures)
                }
                Ok(resp) => return Ok(resp),
                Err(e) => {
                    // Where the org's name leads does not change between attempts.
                    if let Some(refused) = non_public_address(&e) {
                        return Err(OktaError::NonPublicAddress(refused.to_string()));
                    }
                    failures += 1;
                    // `without_url`: the error text names the failure, not the request.
                    let connect = e.is_connect();
                    let detail = e.without_url().to_string();
                    if failures >= self.retry.max_attempts {
                        return Err(if connect {
                            OktaError::Unreachable(detail)
                        } else {
                            OktaError::Transient {
                                detail,
                                status: None,
                                attempts: failures,
                                request_id: None,
                            }
                        });
                    }
                    tracing::warn!(bucket, attempt = failures, error = %detail, "request failed; retrying");
                    progress::retry();
                    self.retry.backoff(failures)
                }
            };
            counters.clone().for_each(|c| {
                c.retries.fetch_add(1, Ordering::Relaxed);
            });
            waits.allow(wait, "before retrying")?;
            tokio::time::sleep(wait).await;
            waits.waited += wait;
        }
    }

    /// A slot for the request on its bucket, once the pacer gives one: after the bucket's
    /// window if it is at our floor, or when a request in flight ends if the tenant has all it
    /// may in flight.
    async fn acquire(&self, waits: &mut Waits) -> Result<Permit<'_>, OktaError> {
        loop {
            let released = self.pacer.released();
            let mut released = std::pin::pin!(released);
            released.as_mut().enable();
            match self.pacer.reserve(waits.bucket) {
                Reservation::Go(permit) => return Ok(permit),
                Reservation::Wait(wait) => {
                    waits.allow(wait, "for the rate-limit window to reset")?;
                    tracing::info!(
                        bucket = waits.bucket,
                        wait_ms = wait.as_millis() as u64,
                        "pacing: waiting for the rate-limit window to reset"
                    );
                    progress::wait(wait, false);
                    tokio::time::sleep(wait).await;
                    waits.waited += wait;
                }
                Reservation::Full => {
                    let started = Instant::now();
                    let ended = tokio::time::timeout(waits.left(), released).await;
                    waits.waited += started.elapsed();
                    if ended.is_err() {
                        return Err(waits.out_of_time("for a request in flight to end"));
                    }
                }
            }
        }
    }
}

/// One request's waiting so far, against its budget (the retry policy's `max_wait`) and the
/// invocation's deadline: no wait is without end, even with no deadline.
struct Waits {
    bucket: &'static str,
    budget: Duration,
    deadline: Option<Instant>,
    waited: Duration,
    /// 429 answers so far, and whether the last was for Okta's concurrency limit.
    rate_limited: u32,
    concurrency: bool,
}

impl Waits {
    /// Whether waiting `wait` more (for `what`) fits before the deadline and in the budget.
    fn allow(&self, wait: Duration, what: &str) -> Result<(), OktaError> {
        if let Some(deadline) = self.deadline
            && Instant::now() + wait > deadline
        {
            return Err(OktaError::Deadline {
                waited_for: format!("{wait:.0?} {what}"),
            });
        }
        if self.waited + wait > self.budget {
            return Err(self.give_up());
        }
        Ok(())
    }

    /// How long it may still wait: to the deadline or the end of its budget, whichever is first.
    fn left(&self) -> Duration {
        let budget = self.budget.saturating_sub(self.waited);
        match self.deadline {
            Some(d) => budget.min(d.saturating_duration_since(Instant::now())),
            None => budget,
        }
    }

    /// The error once it waited all it may (for `what`): the budget's, or the deadline's.
    fn out_of_time(&self, what: &str) -> OktaError {
        if self.waited >= self.budget {
            self.give_up()
        } else {
            OktaError::Deadline {
                waited_for: what.to_owned(),
            }
        }
    }

    fn give_up(&self) -> OktaError {
        OktaError::RateLimited {
            bucket: self.bucket,
            attempts: self.rate_limited,
            waited_secs: self.waited.as_secs(),
            concurrency: self.concurrency,
        }
    }
}

/// The resolver's refusal, if that is what failed the request (reqwest wraps it a few times).
fn non_public_address(e: &reqwest::Error) -> Option<&NonPublicAddress> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<NonPublicAddress>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

/// How long a 429 asks us to wait: until its bucket resets (by the server's `Date`), plus jitter.
fn rate_limit_wait(headers: &HeaderMap) -> Duration {
    let reset = RateLimitHeaders::parse(headers)
        .map(|h| h.reset_in)
        .or_else(|| {
            let reset: u64 = headers
                .get("x-rate-limit-reset")?
                .to_str()
                .ok()?
                .parse()
                .ok()?;
            Some(super::pacer::reset_in(headers, reset))
        })
        // No reset header at all: assume a full window.
        .unwrap_or(Duration::from_secs(60));
    reset + jitter()
}
