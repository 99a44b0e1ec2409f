//! The manifest of one run of one resource: what was written, and whether it is whole.
//!
//! Written last, create-only, after every part it lists. A reader trusts a run's parts only
//! when its manifest says `complete`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::layout::{self, RunId};
use crate::okta::RequestStats;
use crate::sink::PartInfo;
use crate::store::{ObjectStore, PutMode, StoreError};
use crate::tenant::TenantId;

/// How a resource's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every record Okta listed is in the parts.
    Complete,
    /// Some records are missing (see the reason); the next run starts afresh.
    Partial,
    /// Not attempted, and nothing is wrong with the run: missing scope, no permission, not on this org.
    Skipped,
    /// Nothing usable was written.
    Failed,
}

impl Status {
    /// The worse of two outcomes, for rolling resources up into a tenant.
    pub fn worst(self, other: Status) -> Status {
        fn rank(s: Status) -> u8 {
            match s {
                Status::Complete => 0,
                Status::Skipped => 1,
                Status::Partial => 2,
                Status::Failed => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub resource: String,
    pub tenant: String,
    pub run_id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Things worth knowing that did not make the run incomplete (a policy type absent here, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub records: u64,
    pub parts: Vec<PartInfo>,
    pub requests: RequestStats,
    /// System Log only: seconds between the newest event delivered and the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

impl Manifest {
    pub async fn write(
        &self,
        store: &ObjectStore,
        tenant: &TenantId,
        run: &RunId,
    ) -> Result<(), StoreError> {
        let key = layout::manifest(&self.resource, tenant, run);
        let body = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        store
            .put(&key, body.into(), PutMode::CreateOnly)
            .await
            .map(|_| ())
    }
}
