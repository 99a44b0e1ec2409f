//! Runtime fault injection: server errors, 429s (a bucket's or the concurrency limit's), dropped
//! connections, bodies cut short, expired or revoked credentials, a skewed clock for DPoP proofs,
//! cross-origin or looping `next` links and users deprovisioned mid-run, switched on while the
//! simulator serves.
//! Path prefixes match the request path (no query); a prefix ending in `$` matches that path
//! only (`/api/v1/users$` is the user listing, not each user's factors under it).

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// What a matching failure fault does to a request instead of handling it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// Answer with this 5xx status and an Okta error body.
    Status(u16),
    /// Start the response and break the connection mid-body.
    Drop,
    /// Answer 200 with a body cut short: complete by its length, but not JSON.
    Truncate,
}

struct Counted<T> {
    prefix: String,
    remaining: u32,
    what: T,
}

struct ErrorRate {
    prefix: String,
    probability: f64,
    status: u16,
}

/// A fault that strikes requests under a prefix with a probability.
struct Chance {
    prefix: String,
    probability: f64,
}

#[derive(Default)]
struct Rules {
    fail_next: Vec<Counted<u16>>,
    rate_limit_next: Vec<Counted<Duration>>,
    drop_connections: Vec<Counted<()>>,
    truncations: Vec<Counted<()>>,
    error_rates: Vec<ErrorRate>,
    concurrency_rates: Vec<Chance>,
    foreign_links: Vec<String>,
    looping_links: Vec<String>,
    deprovisioned_midway: BTreeSet<String>,
}

/// Faults for the running simulator, all callable through `&self` while it serves.
pub struct Faults {
    rules: Mutex<Rules>,
    rng: Mutex<fastrand::Rng>,
    token_generation: AtomicU64,
    dpop_nonce_generation: AtomicU64,
    api_token_revoked: AtomicBool,
    /// Seconds the org's clock runs ahead of the runner's when it judges DPoP proofs.
    dpop_clock_ahead: AtomicU64,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rules: Mutex::default(),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            token_generation: AtomicU64::new(0),
            dpop_nonce_generation: AtomicU64::new(0),
            api_token_revoked: AtomicBool::new(false),
            dpop_clock_ahead: AtomicU64::new(0),
        }
    }

    /// The next `count` requests under `path_prefix` get `status` (500, 502, 503, 504) with
    /// an Okta error body.
    pub fn fail_next(&self, path_prefix: &str, status: u16, count: u32) {
        self.rules.lock().unwrap().fail_next.push(Counted {
            prefix: path_prefix.to_owned(),
            remaining: count,
            what: status,
        });
    }

    /// Each request under `path_prefix` fails with `status` with this probability (seeded).
    /// A later call for the same prefix replaces the earlier; probability 0 turns it off.
    pub fn error_rate(&self, path_prefix: &str, probability: f64, status: u16) {
        let mut rules = self.rules.lock().unwrap();
        rules.error_rates.retain(|r| r.prefix != path_prefix);
        if probability > 0.0 {
            rules.error_rates.push(ErrorRate {
                prefix: path_prefix.to_owned(),
                probability,
                status,
            });
        }
    }

    /// Each request under `path_prefix` is refused as over the org's concurrency limit with
    /// this probability (seeded): 429 E0000047 with `X-Rate-Limit-Limit: 0`,
    /// `X-Rate-Limit-Remaining: 0` and an estimated `X-Rate-Limit-Reset` (the bucket's window
    /// end), as Okta answers. Its bucket is not charged. A later call for the same prefix
    /// replaces the earlier; probability 0 turns it off.
    pub fn concurrency_limit(&self, path_prefix: &str, probability: f64) {
        let mut rules = self.rules.lock().unwrap();
        rules.concurrency_rates.retain(|r| r.prefix != path_prefix);
        if probability > 0.0 {
            rules.concurrency_rates.push(Chance {
                prefix: path_prefix.to_owned(),
                probability,
            });
        }
    }

    /// The next `count` requests under `path_prefix` get 429 E0000047 with
    /// `X-Rate-Limit-Remaining: 0` and `X-Rate-Limit-Reset` = now + `reset_after`.
    pub fn rate_limit_next(&self, path_prefix: &str, count: u32, reset_after: Duration) {
        self.rules.lock().unwrap().rate_limit_next.push(Counted {
            prefix: path_prefix.to_owned(),
            remaining: count,
            what: reset_after,
        });
    }

    /// The next `count` requests under `path_prefix` see the connection break: headers and
    /// part of the body arrive, then the connection closes.
    pub fn drop_connections(&self, path_prefix: &str, count: u32) {
        self.rules.lock().unwrap().drop_connections.push(Counted {
            prefix: path_prefix.to_owned(),
            remaining: count,
            what: (),
        });
    }

    /// The next `count` successful requests under `path_prefix` get a 200 whose body stops
    /// half way (its `Content-Length` matches, so only the JSON shows it).
    pub fn truncate_next(&self, path_prefix: &str, count: u32) {
        self.rules.lock().unwrap().truncations.push(Counted {
            prefix: path_prefix.to_owned(),
            remaining: count,
            what: (),
        });
    }

    /// Pages under `path_prefix` announce themselves as their own next page.
    pub fn looping_next_link(&self, path_prefix: &str) {
        self.rules
            .lock()
            .unwrap()
            .looping_links
            .push(path_prefix.to_owned());
    }

    /// These users are deactivated after the plain user list has read them: the plain list
    /// still shows them as they were, and the DEPROVISIONED search lists them too.
    pub fn deprovision_midway(&self, user_ids: &[&str]) {
        let mut rules = self.rules.lock().unwrap();
        rules
            .deprovisioned_midway
            .extend(user_ids.iter().map(|id| (*id).to_owned()));
    }

    /// Pages under `path_prefix` announce their next page on the foreign origin, which
    /// records every request it receives (see `Stats::foreign_requests`).
    pub fn foreign_next_link(&self, path_prefix: &str) {
        self.rules
            .lock()
            .unwrap()
            .foreign_links
            .push(path_prefix.to_owned());
    }

    /// Every OAuth access token issued so far stops working (401 E0000011), as if expired.
    pub fn expire_tokens(&self) {
        self.token_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The SSWS API token stops working (401 E0000011).
    pub fn revoke_api_token(&self) {
        self.api_token_revoked.store(true, Ordering::SeqCst);
    }

    /// Okta rotates its DPoP nonce: proofs carrying an older one get `use_dpop_nonce`.
    pub fn rotate_dpop_nonce(&self) {
        self.dpop_nonce_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The org judges DPoP proofs by a clock this far ahead, as if the runner's clock were
    /// behind: every proof's `iat` looks stale and Okta answers `invalid_dpop_proof`.
    pub fn dpop_clock_ahead(&self, ahead: Duration) {
        self.dpop_clock_ahead
            .store(ahead.as_secs(), Ordering::SeqCst);
    }

    /// Removes every request fault (counted, random and foreign links); credentials stay as
    /// they are.
    pub fn clear(&self) {
        *self.rules.lock().unwrap() = Rules::default();
    }

    /// An injected 429 for a request to `path`: how far ahead its `Reset` lies. Consumes
    /// one count.
    pub(crate) fn rate_limit(&self, path: &str) -> Option<Duration> {
        take(&mut self.rules.lock().unwrap().rate_limit_next, path)
    }

    /// Whether a request to `path` is refused as over the concurrency limit (injected).
    pub(crate) fn concurrency_refusal(&self, path: &str) -> bool {
        let rules = self.rules.lock().unwrap();
        rules
            .concurrency_rates
            .iter()
            .find(|r| covers(&r.prefix, path))
            .is_some_and(|r| self.rng.lock().unwrap().f64() < r.probability)
    }

    /// An injected failure for a request to `path` that passed the rate limits; consumes one
    /// count of a counted fault.
    pub(crate) fn failure(&self, path: &str) -> Option<Failure> {
        let mut rules = self.rules.lock().unwrap();
        if take(&mut rules.drop_connections, path).is_some() {
            return Some(Failure::Drop);
        }
        if let Some(status) = take(&mut rules.fail_next, path) {
            return Some(Failure::Status(status));
        }
        if take(&mut rules.truncations, path).is_some() {
            return Some(Failure::Truncate);
        }
        let rate = rules.error_rates.iter().find(|r| covers(&r.prefix, path))?;
        (self.rng.lock().unwrap().f64() < rate.probability).then_some(Failure::Status(rate.status))
    }

    pub(crate) fn foreign_link(&self, path: &str) -> bool {
        let rules = self.rules.lock().unwrap();
        rules.foreign_links.iter().any(|p| covers(p, path))
    }

    pub(crate) fn looping_link(&self, path: &str) -> bool {
        let rules = self.rules.lock().unwrap();
        rules.looping_links.iter().any(|p| covers(p, path))
    }

    pub(crate) fn deprovisioned_midway(&self, user_id: &str) -> bool {
        self.rules
            .lock()
            .unwrap()
            .deprovisioned_midway
            .contains(user_id)
    }

    pub(crate) fn token_generation(&self) -> u64 {
        self.token_generation.load(Ordering::SeqCst)
    }

    pub(crate) fn dpop_nonce_generation(&self) -> u64 {
        self.dpop_nonce_generation.load(Ordering::SeqCst)
    }

    pub(crate) fn dpop_clock_ahead_secs(&self) -> i64 {
        self.dpop_clock_ahead.load(Ordering::SeqCst) as i64
    }

    pub(crate) fn api_token_revoked(&self) -> bool {
        self.api_token_revoked.load(Ordering::SeqCst)
    }
}

/// Consumes one count of the first counted fault matching `path`.
fn take<T: Copy>(faults: &mut Vec<Counted<T>>, path: &str) -> Option<T> {
    let at = faults
        .iter()
        .position(|f| f.remaining > 0 && covers(&f.prefix, path))?;
    faults[at].remaining -= 1;
    let what = faults[at].what;
    if faults[at].remaining == 0 {
        faults.remove(at);
    }
    Some(what)
}

/// Whether a fault's path prefix applies to `path`.
fn covers(prefix: &str, path: &str) -> bool {
    match prefix.strip_suffix('$') {
        Some(exact) => path == exact,
        None => path.starts_with(prefix),
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn a_dollar_sign_ends_the_path() {
        assert!(covers("/api/v1/users", "/api/v1/users/00u1/factors"));
        assert!(covers("/api/v1/users$", "/api/v1/users"));
        assert!(!covers("/api/v1/users$", "/api/v1/users/00u1/factors"));
    }
}
