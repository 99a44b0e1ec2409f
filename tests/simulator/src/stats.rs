//! Counters of what the simulator served, for tests that assert on request counts, retries
//! and credential leaks.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A snapshot of the counters since start.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Every request to the org origin, whatever its answer.
    pub requests: u64,
    /// Requests per path, ids replaced by `{id}` (e.g. `/api/v1/users/{id}/factors`).
    pub by_path: BTreeMap<String, u64>,
    /// 429 responses served (real bucket exhaustion, the concurrency limit and injected ones).
    pub rate_limited: u64,
    /// Of those, the concurrency limit's (`X-Rate-Limit-Limit: 0`).
    pub concurrency_limited: u64,
    /// 5xx responses served.
    pub server_errors: u64,
    /// `POST /oauth2/v1/token` requests.
    pub token_requests: u64,
    /// Every request the foreign origin received (see `Faults::foreign_next_link`).
    pub foreign_requests: Vec<ForeignRequest>,
}

impl Stats {
    /// Requests to one path template; 0 if none.
    pub fn path(&self, template: &str) -> u64 {
        self.by_path.get(template).copied().unwrap_or(0)
    }

    /// Foreign-origin requests that carried credentials (`Authorization` or `DPoP`): leaks.
    pub fn leaked_credentials(&self) -> Vec<&ForeignRequest> {
        self.foreign_requests
            .iter()
            .filter(|r| r.authorization || r.dpop)
            .collect()
    }
}

/// One request seen by the foreign origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignRequest {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub authorization: bool,
    pub dpop: bool,
}

#[derive(Default)]
pub(crate) struct Recorder(Mutex<Stats>);

impl Recorder {
    pub fn request(&self, template: &str) {
        let mut stats = self.0.lock().unwrap();
        stats.requests += 1;
        *stats.by_path.entry(template.to_owned()).or_default() += 1;
        if template == "/oauth2/v1/token" {
            stats.token_requests += 1;
        }
    }

    pub fn response(&self, status: u16) {
        let mut stats = self.0.lock().unwrap();
        match status {
            429 => stats.rate_limited += 1,
            500.. => stats.server_errors += 1,
            _ => {}
        }
    }

    pub fn concurrency_limited(&self) {
        self.0.lock().unwrap().concurrency_limited += 1;
    }

    pub fn foreign(&self, request: ForeignRequest) {
        self.0.lock().unwrap().foreign_requests.push(request);
    }

    pub fn snapshot(&self) -> Stats {
        self.0.lock().unwrap().clone()
    }
}
