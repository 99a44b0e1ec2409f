//! What a run reports: per resource, per tenant, per run. Lambda returns it, the CLI prints it,
//! metrics are made from it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::layout::RunId;
use crate::manifest::{Manifest, Status};
use crate::okta::RequestStats;

/// One resource's line in a summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceSummary {
    pub resource: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub records: u64,
    pub parts: usize,
    pub requests: RequestStats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How a snapshot of an incremental group was made (see [`crate::refresh`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<crate::refresh::RefreshNote>,
}

impl From<&Manifest> for ResourceSummary {
    fn from(m: &Manifest) -> Self {
        Self {
            resource: m.resource.clone(),
            status: m.status,
            reason: m.reason.clone(),
            records: m.records,
            parts: m.parts.len(),
            requests: m.requests,
            lag_seconds: m.lag_seconds,
            notes: m.notes.clone(),
            refresh: m.refresh.clone(),
        }
    }
}

/// One compared resource's line: the change feed's own, apart from the resources' statuses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangesLine {
    /// The resource compared.
    pub source: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    pub attributed: u64,
}

impl From<&Manifest> for ChangesLine {
    fn from(m: &Manifest) -> Self {
        let counts = m.changes.clone().unwrap_or_default();
        Self {
            source: counts.source,
            status: m.status,
            reason: m.reason.clone(),
            added: counts.added,
            removed: counts.removed,
            modified: counts.modified,
            attributed: counts.attributed,
        }
    }
}

/// One tenant's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantSummary {
    pub tenant: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every request to this tenant's Okta, token calls included.
    pub requests: RequestStats,
    pub resources: Vec<ResourceSummary>,
    /// The change feed's comparisons; they do not count toward `status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangesLine>,
}

impl TenantSummary {
    pub(crate) fn failed(tenant: &str, error: &Error) -> Self {
        Self {
            tenant: tenant.to_owned(),
            status: Status::Failed,
            error: Some(error.to_string()),
            requests: RequestStats::default(),
            resources: Vec::new(),
            changes: Vec::new(),
        }
    }
}

/// What an invocation returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: RunId,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: Status,
    pub tenants: Vec<TenantSummary>,
}

impl RunSummary {
    /// The summary of `run`, ending now, over its tenants.
    pub(crate) fn finished(run: &RunId, tenants: Vec<TenantSummary>) -> Self {
        Self {
            run_id: run.clone(),
            started_at: run.started(),
            finished_at: Utc::now(),
            status: Status::roll_up(tenants.iter().map(|t| t.status)),
            tenants,
        }
    }
}
