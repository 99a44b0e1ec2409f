//! Single-use JWT ids (`jti`) of client assertions and DPoP proofs: a replay is refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many entries may accumulate before expired ones are swept.
const SWEEP_AT: usize = 4_096;

#[derive(Default)]
pub(crate) struct ReplayCache(Mutex<HashMap<String, Instant>>);

impl ReplayCache {
    /// Records `jti` for `keep_for`; false if it was already recorded and not yet forgotten.
    pub fn first_use(&self, jti: &str, keep_for: Duration) -> bool {
        let now = Instant::now();
        let mut seen = self.0.lock().unwrap();
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, until| *until > now);
        }
        match seen.get(jti) {
            Some(until) if *until > now => false,
            _ => {
                seen.insert(jti.to_owned(), now + keep_for);
                true
            }
        }
    }
}
