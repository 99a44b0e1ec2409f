//! The generated org: every object the simulator serves, as Okta's JSON, built once at start
//! from the seed. Tests compare ingested lines with these values.

mod users;
mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::SimConfig;
use crate::ids::okta_id;

/// The objects of the simulated org. Lists are sorted by `id`, the order Okta pages them in.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Every user, DEPROVISIONED ones included.
    pub users: Vec<Value>,
    /// Each user's factors, by user id; users without factors map to an empty list.
    pub factors: BTreeMap<String, Vec<Value>>,
}

impl Dataset {
    /// `anchor` is "now" for the inventory: the newest timestamps lie just before it.
    pub(crate) fn generate(config: &SimConfig, org_url: &str, anchor: DateTime<Utc>) -> Dataset {
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let user_types = [okta_id(&mut rng, "oty"), okta_id(&mut rng, "oty")];
        let users = users::users(&mut rng, config.users, org_url, anchor, &user_types);
        let factors = users::factors(&mut rng, &users, org_url);
        Dataset { users, factors }
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<&Value> {
        find(&self.users, id)
    }
}

/// An object by id in a list sorted by id.
pub(crate) fn find<'a>(sorted: &'a [Value], id: &str) -> Option<&'a Value> {
    sorted
        .binary_search_by(|v| v["id"].as_str().unwrap_or_default().cmp(id))
        .ok()
        .map(|at| &sorted[at])
}
