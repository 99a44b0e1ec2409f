//! The manifest of one run of one resource: what was written, and whether it is whole.
//!
//! Written last, create-only, after every part it lists. A reader trusts a run's parts only
//! when its manifest says `complete`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::changes::diff::{Change, Difference};
use crate::layout::{self, RunId};
use crate::okta::{OktaError, RequestStats};
use crate::sink::PartInfo;
use crate::store::{ObjectStore, PutMode, StoreError};
use crate::tenant::TenantId;

/// How a resource's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every record Okta listed is in the parts.
    Complete,
    /// Some records are missing (see the reason): the next run starts afresh, or, after a
    /// deadline stop, a continuation reads on.
    Partial,
    /// Not attempted, and nothing is wrong with the run: missing scope, no permission, not on this org.
    Skipped,
    /// Nothing usable was written.
    Failed,
}

impl Status {
    /// Rolls resources up into a tenant (or tenants into a run): failed only if every part
    /// failed, complete if every part is complete or skipped for a stated reason, partial in
    /// between. A run of nothing is complete.
    pub fn roll_up(statuses: impl IntoIterator<Item = Status>) -> Status {
        let (mut any, mut all_failed, mut all_skipped, mut all_fine) = (false, true, true, true);
        for s in statuses {
            any = true;
            all_failed &= s == Status::Failed;
            all_skipped &= s == Status::Skipped;
            all_fine &= matches!(s, Status::Complete | Status::Skipped);
        }
        if !any {
            Status::Complete
        } else if all_failed {
            Status::Failed
        } else if all_skipped {
            Status::Skipped
        } else if all_fine {
            Status::Complete
        } else {
            Status::Partial
        }
    }
}

/// One parent of a child resource whose listing could not be read, in Okta's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentFailure {
    pub id: String,
    /// Okta's HTTP status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// What Okta Support asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_causes: Vec<String>,
    /// The whole error, with what to do about it.
    pub reason: String,
}

impl ParentFailure {
    pub fn new(id: &str, error: &OktaError) -> Self {
        let (status, code, detail) = match error {
            OktaError::PermissionDenied { code, detail, .. } => {
                (Some(403), Some(code), Some(detail))
            }
            OktaError::NotFound { detail, .. } => (Some(404), None, Some(detail)),
            OktaError::Api {
                status,
                code,
                detail,
                ..
            } => (Some(*status), Some(code), Some(detail)),
            OktaError::Transient { status, .. } => (*status, None, None),
            OktaError::RateLimited { .. } => (Some(429), None, None),
            _ => (None, None, None),
        };
        Self {
            id: id.to_owned(),
            status,
            error_code: code.filter(|c| !c.is_empty()).cloned(),
            error_id: detail.and_then(|d| d.error_id.clone()),
            error_causes: detail.map(|d| d.causes.clone()).unwrap_or_default(),
            reason: error.to_string(),
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
    /// Parents whose children Okta refuses to serve (a built-in group, an object outside a
    /// scoped admin's resource set): left out on purpose, so the resource is still complete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ParentFailure>,
    /// Parents whose children could not be read for a passing reason (5xx, timeouts, rate
    /// limits): the resource is partial, and a continuation or the next run reads them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<ParentFailure>,
    pub records: u64,
    pub parts: Vec<PartInfo>,
    pub requests: RequestStats,
    /// System Log only: seconds between the newest event delivered and the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// The change feed's manifests only: which resource was compared with which base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangeSummary>,
    /// Snapshots of groups that may run incrementally: how this one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<crate::refresh::RefreshNote>,
}

/// What a comparison of two snapshots of one resource found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSummary {
    /// The resource compared.
    pub source: String,
    /// The run of the earlier snapshot it was compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_end: Option<DateTime<Utc>>,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    /// Changes attributed to a System Log event.
    pub attributed: u64,
}

impl ChangeSummary {
    pub fn of(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            ..Self::default()
        }
    }

    pub fn count(&mut self, difference: &Difference, attributed: bool) {
        match difference.change {
            Change::Added => self.added += 1,
            Change::Removed => self.removed += 1,
            Change::Modified => self.modified += 1,
        }
        self.attributed += u64::from(attributed);
    }
}

impl Manifest {
    /// Writes the manifest: create-only for a run's first word on a resource, `Overwrite` when
    /// a continuation of the run replaces its earlier, partial one.
    pub async fn write(
        &self,
        store: &ObjectStore,
        tenant: &TenantId,
        run: &RunId,
        mode: PutMode,
    ) -> Result<(), StoreError> {
        let key = layout::manifest(&self.resource, tenant, run);
        let body = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        store.put(&key, body.into(), mode).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    #[test]
    fn roll_up() {
        assert_eq!(Status::roll_up([]), Complete);
        assert_eq!(Status::roll_up([Complete, Skipped]), Complete);
        assert_eq!(Status::roll_up([Skipped, Skipped]), Skipped);
        assert_eq!(Status::roll_up([Complete, Failed]), Partial);
        assert_eq!(Status::roll_up([Partial, Complete]), Partial);
        assert_eq!(Status::roll_up([Failed, Failed]), Failed);
    }
}
