//! Picking a snapshot up where an invocation left it.
//!
//! A tenant too big for one invocation stops at a page boundary before the deadline. What it
//! got through is already written (its parts, and manifests that say "partial"); what is left
//! is recorded here: for a root listing, the page it stops before, and for a child resource, the
//! parents whose listings are still to read, each from its own next page. The next invocation
//! (a continuation) reads this, writes the remaining parts under the same run with the next part
//! numbers, and rewrites the manifests, which turn complete once nothing is left.
//!
//! Nothing is read twice: a page is either written and behind the recorded position, or not
//! fetched (or not written) and at it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::layout::{self, RunId};
use crate::manifest::{Manifest, ParentFailure};
use crate::okta::RequestStats;
use crate::queue::Carry;
use crate::seen::SeenIds;
use crate::sink::PartInfo;
use crate::store::StateObject;
use crate::store::{ObjectStore, PutMode, StoreError};
use crate::tenant::TenantId;

/// Where a listing resumes: which of the resource's listings, at which page (Okta's own URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub listing: usize,
    pub next: String,
    /// Whether an earlier listing of the resource was read, not refused as absent from the
    /// org: if every listing left is refused, the resource is still complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listed_earlier: bool,
}

/// A parent whose child listing is still to read, from `from` (or from its first page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Position>,
}

/// One resource that is not finished in this run, and what it has done so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unfinished {
    pub resource: String,
    /// Whether the resource's records are written, or it is read only for its children's ids.
    pub written: bool,
    pub parts: Vec<PartInfo>,
    pub requests: RequestStats,
    #[serde(default)]
    pub notes: Vec<String>,
    /// Parents refused for good so far: the last invocation's manifest lists them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ParentFailure>,
    pub started_at: DateTime<Utc>,
    /// For a root listing: the page it continues at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Position>,
    /// For a child: parents still to read, before any that its root has yet to list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Pending>,
    /// For a resource whose listings overlap: the ids written so far.
    #[serde(default, skip_serializing_if = "SeenIds::is_empty")]
    pub seen: SeenIds,
}

impl Unfinished {
    /// What a resource carries on from, given the partial manifest it just wrote.
    pub fn after(manifest: &Manifest, written: bool) -> Self {
        Self {
            resource: manifest.resource.clone(),
            written,
            parts: manifest.parts.clone(),
            requests: manifest.requests,
            notes: manifest.notes.clone(),
            excluded: manifest.excluded.clone(),
            started_at: manifest.started_at,
            from: None,
            pending: Vec::new(),
            seen: SeenIds::default(),
        }
    }
}

/// A snapshot run of one group for one tenant, to be carried on by the next invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuation {
    pub run_id: RunId,
    pub group: String,
    /// Which continuation of the run this is: 0 for the first.
    #[serde(default)]
    pub step: u32,
    /// Whether this step's message is known to be sent. Until it is, the message for the step
    /// before may come back (its send failed) and must carry on from here; once it is, a
    /// message for the step before is a duplicate.
    #[serde(default)]
    pub sent: bool,
    /// What is left; empty once the run is finished.
    pub resources: Vec<Unfinished>,
}

impl Continuation {
    /// What is left of `run` for `group` after an invocation: the first continuation, or the
    /// one after `resumed`, which that invocation carried on.
    pub fn after(
        run: &RunId,
        group: &str,
        resumed: Option<&Continuation>,
        resources: Vec<Unfinished>,
    ) -> Self {
        Self {
            run_id: run.clone(),
            group: group.to_owned(),
            step: resumed.map_or(0, |c| c.step + 1),
            sent: false,
            resources,
        }
    }

    /// What its message carries.
    pub fn carry(&self) -> Carry {
        Carry {
            run: self.run_id.clone(),
            step: self.step,
        }
    }

    /// Saves it as the group's continuation for `tenant` (replacing any earlier one: a
    /// tenant's group has at most one run in progress, under its lease). Returns the ETag
    /// to [`mark_sent`](Self::mark_sent) against.
    pub async fn save(&self, store: &ObjectStore, tenant: &TenantId) -> Result<String, StoreError> {
        let body = serde_json::to_vec(self).expect("a continuation serialises");
        store
            .put(&key(&self.group, tenant), body.into(), PutMode::Overwrite)
            .await
    }

    /// Records that this step's message is sent, if the saved continuation is still the one
    /// saved at `etag`. If it is not, the step has already run (its message arrived first)
    /// and what is saved now is a later step's, which stands.
    pub async fn mark_sent(
        mut self,
        store: &ObjectStore,
        tenant: &TenantId,
        etag: &str,
    ) -> Result<(), StoreError> {
        self.sent = true;
        let object = StateObject::new(store, key(&self.group, tenant));
        match object.save(&self, Some(etag)).await {
            Ok(_) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The saved continuation that `carry` is for: its own step, or the step after it while
    /// that step's message is not known to be sent. The step after is saved before its message
    /// is sent; if that send failed, `carry`'s message comes back (as a failed batch item) and
    /// must carry on from there. Otherwise the chain has moved on without this message (SQS
    /// delivered it twice).
    pub async fn load(
        store: &ObjectStore,
        group: &str,
        tenant: &TenantId,
        carry: &Carry,
    ) -> Result<Option<Self>, StoreError> {
        let object = StateObject::new(store, key(group, tenant));
        Ok(object.load::<Self>().await?.map(|(c, _)| c).filter(|c| {
            c.run_id == carry.run && (c.step == carry.step || (c.step == carry.step + 1 && !c.sent))
        }))
    }
}

fn key(group: &str, tenant: &TenantId) -> String {
    layout::state(group, tenant, "continuation")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_finds_its_step_or_the_unsent_next_never_a_later_one() {
        let dir = std::env::temp_dir().join(format!("okta-ingest-cont-{:08x}", fastrand::u32(..)));
        let store =
            ObjectStore::Local(crate::store::LocalStore::new(dir.to_str().unwrap()).unwrap());
        let tenant = TenantId::parse("acme").unwrap();
        let saved = |step| Continuation {
            run_id: RunId::parse("20261128T000000Z-0a1b").unwrap(),
            group: "users".into(),
            step,
            sent: false,
            resources: Vec::new(),
        };
        let carry = |run: &str, step| Carry {
            run: RunId::parse(run).unwrap(),
            step,
        };
        let etag = saved(3).save(&store, &tenant).await.unwrap();
        let found = |c: Carry| {
            let store = &store;
            let tenant = &tenant;
            async move {
                Continuation::load(store, "users", tenant, &c)
                    .await
                    .unwrap()
                    .map(|c| c.step)
            }
        };
        assert_eq!(found(carry("20261128T000000Z-0a1b", 3)).await, Some(3));
        // Step 3 was saved but its message was never sent: step 2's message carries on.
        assert_eq!(found(carry("20261128T000000Z-0a1b", 2)).await, Some(3));
        // Step 1's message, delivered again after the chain moved on: nothing to do.
        assert_eq!(found(carry("20261128T000000Z-0a1b", 1)).await, None);
        assert_eq!(found(carry("20261128T000000Z-ffff", 3)).await, None);

        // Once step 3's message is sent, step 2's message is a duplicate.
        saved(3).mark_sent(&store, &tenant, &etag).await.unwrap();
        assert_eq!(found(carry("20261128T000000Z-0a1b", 2)).await, None);
        assert_eq!(found(carry("20261128T000000Z-0a1b", 3)).await, Some(3));

        // Marking a step that has already moved on leaves the later step's state alone.
        let later = saved(4).save(&store, &tenant).await.unwrap();
        saved(3).mark_sent(&store, &tenant, &etag).await.unwrap();
        assert_eq!(found(carry("20261128T000000Z-0a1b", 3)).await, Some(4));
        assert_ne!(etag, later);
        std::fs::remove_dir_all(dir).ok();
    }
}
