//! How often and how long to retry: bounded attempts, capped and jittered exponential backoff,
//! and a bound on all the waiting one request may do.

use std::time::Duration;

/// Retry limits for one tenant's client.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts for a request that fails transiently (5xx, timeout, connection reset).
    pub max_attempts: u32,
    /// 429 answers tolerated for one request before giving up on it.
    pub max_rate_limited: u32,
    /// First backoff step; doubles per attempt.
    pub base_delay: Duration,
    /// First backoff step after Okta's concurrency limit refused a request; doubles per refusal.
    pub concurrency_delay: Duration,
    /// No single backoff is longer than this.
    pub max_delay: Duration,
    /// All the waiting one request may do: for its bucket's window, out 429s, before retries.
    /// Past it the request gives up, even with no deadline (the CLI).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_rate_limited: 8,
            base_delay: Duration::from_millis(250),
            // Seconds: the requests in flight at the org must end first, ours and others'.
            concurrency_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15),
            // Five of Okta's one-minute windows.
            max_wait: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based): half fixed, half random, so retries
    /// from many tenants spread out while each still backs off.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.grow(self.base_delay, attempt)
    }

    /// The wait after the `refusal`th (1-based) refusal for Okta's concurrency limit in a row:
    /// not until the bucket's reset, which such a refusal only estimates.
    pub fn concurrency_backoff(&self, refusal: u32) -> Duration {
        self.grow(self.concurrency_delay, refusal)
    }

    fn grow(&self, base: Duration, attempt: u32) -> Duration {
        let exp = base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        half + Duration::from_millis(fastrand::u64(0..=half.as_millis() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_jittered_and_capped() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(125) && first <= Duration::from_millis(250));
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(500) && third <= Duration::from_secs(1));
            assert!(p.backoff(30) <= p.max_delay);
            assert!(p.backoff(30) >= p.max_delay / 2);
            let concurrency = p.concurrency_backoff(1);
            assert!(
                concurrency >= Duration::from_millis(500) && concurrency <= Duration::from_secs(1)
            );
            assert!(p.concurrency_backoff(30) <= p.max_delay);
        }
    }
}
