//! The access tokens the org authorization server has issued: who holds them, their scopes,
//! their DPoP key binding, and when they stop working.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::reply::random_chars;

#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub scopes: Vec<String>,
    /// RFC 7638 thumbprint of the DPoP key the token is bound to (`cnf.jkt`); None for Bearer.
    pub jkt: Option<String>,
    pub expires: Instant,
    /// The `Faults::expire_tokens` generation at issue: a newer one invalidates the token.
    pub generation: u64,
}

#[derive(Default)]
pub(crate) struct AccessTokens(Mutex<HashMap<String, Grant>>);

impl AccessTokens {
    /// Stores the grant under a new random token and returns the token.
    pub fn issue(&self, grant: Grant) -> String {
        let token = format!("eyJsim.{}", random_chars(86));
        self.0.lock().unwrap().insert(token.clone(), grant);
        token
    }

    /// The grant of a token that is still valid under the current expiry generation.
    pub fn valid(&self, token: &str, generation: u64) -> Option<Grant> {
        let tokens = self.0.lock().unwrap();
        let grant = tokens.get(token)?;
        (grant.generation == generation && grant.expires > Instant::now()).then(|| grant.clone())
    }
}
