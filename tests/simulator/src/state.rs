//! Everything the running org shares between requests: configuration, generated data,
//! issued tokens, rate-limit windows, requests in flight, faults and counters.

use std::sync::{Arc, Mutex};

use crate::access_tokens::AccessTokens;
use crate::config::SimConfig;
use crate::data::Dataset;
use crate::faults::Faults;
use crate::rate_limit::{Concurrency, RateLimiter};
use crate::replay::ReplayCache;
use crate::reply::random_chars;
use crate::stats::Recorder;
use crate::system_log::SystemLog;

pub(crate) struct OrgState {
    pub config: SimConfig,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// The foreign origin's `http://127.0.0.1:PORT`.
    pub foreign_url: String,
    /// The org as it is now: replaced whole when it churns, so a request sees one version.
    dataset: Mutex<Arc<Dataset>>,
    /// The System Log, shared by every version of the dataset.
    pub system_log: Arc<SystemLog>,
    pub faults: Faults,
    pub stats: Recorder,
    pub limiter: RateLimiter,
    pub concurrency: Concurrency,
    pub access_tokens: AccessTokens,
    pub replay: ReplayCache,
    /// The stem of DPoP nonces; `Faults::rotate_dpop_nonce` moves their generation on.
    nonce_stem: String,
}

impl OrgState {
    pub fn new(config: SimConfig, url: String, foreign_url: String, dataset: Dataset) -> Self {
        Self {
            faults: Faults::new(config.seed),
            limiter: RateLimiter::new(&config),
            concurrency: Concurrency::new(&config),
            config,
            url,
            foreign_url,
            system_log: dataset.system_log_handle(),
            dataset: Mutex::new(Arc::new(dataset)),
            stats: Recorder::default(),
            access_tokens: AccessTokens::default(),
            replay: ReplayCache::default(),
            nonce_stem: random_chars(22),
        }
    }

    /// The org as it is now.
    pub fn data(&self) -> Arc<Dataset> {
        Arc::clone(&self.dataset.lock().unwrap())
    }

    /// Replaces the org with a changed version of it.
    pub fn replace_data(&self, dataset: Dataset) {
        *self.dataset.lock().unwrap() = Arc::new(dataset);
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.url)
    }

    /// The time (epoch seconds) DPoP proofs are judged by: ours, unless a fault skews it.
    pub fn dpop_clock(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.faults.dpop_clock_ahead_secs()
    }

    /// The DPoP nonce token requests must carry now.
    pub fn dpop_nonce(&self) -> String {
        format!("{}{}", self.nonce_stem, self.faults.dpop_nonce_generation())
    }
}
