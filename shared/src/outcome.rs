//! How a resource's run ended, and the manifest that says so. Shared by snapshots and the
//! System Log so that both report the same statuses for the same causes.

use chrono::{DateTime, Utc};

use crate::layout::RunId;
use crate::lease::Holder;
use crate::manifest::{Manifest, ParentFailure, Status};
use crate::okta::{OktaError, RequestCounters, RequestStats};
use crate::sink::PartInfo;
use crate::store::{ObjectStore, PutMode, StoreError};
use crate::tenant::TenantId;

/// Why a resource stopped before the end of its listing.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Stop {
    #[error(transparent)]
    Okta(#[from] OktaError),
    #[error("writing output: {0}")]
    Store(#[from] StoreError),
    #[error("stopped before the invocation's deadline; the next run continues")]
    Deadline,
    #[error("parent {parent} is {} ({reason})", format!("{status:?}").to_lowercase())]
    Parent {
        parent: &'static str,
        status: Status,
        reason: String,
    },
    /// Boxed: a lease is several times the size of every other stop.
    #[error("another run for this tenant holds the lease: {0}")]
    Busy(Box<Holder>),
    #[error("another run advanced the checkpoint first; this one stopped without writing more")]
    Overtaken,
    #[error(
        "{count} parent(s) could not be read after retries (listed under \"unread\"; the next run reads them again), e.g. {example}"
    )]
    Unread { count: usize, example: String },
    #[error(
        "an incremental run ran out of time; it is not carried on, and the next run reads the changes from the same state again"
    )]
    IncrementalCut,
}

impl Stop {
    /// A stop that leaves nothing half-read: the page it happened at was not written, so a
    /// continuation can start exactly there.
    pub(crate) fn at_page_boundary(&self) -> bool {
        matches!(
            self,
            Stop::Deadline | Stop::Okta(OktaError::Deadline { .. })
        )
    }

    /// The status a stop leaves a resource in, given how many records made it out. A stop at
    /// a page boundary is partial even with nothing written: nothing went wrong, and the
    /// continuation reads on from there (an invocation slowed down before its first page must
    /// not count as a failure, which SQS would retry next to the continuation).
    pub(crate) fn status(&self, written: u64) -> Status {
        match self {
            // Every other parent was read: what is missing is listed, and only that.
            _ if self.at_page_boundary()
                || matches!(self, Stop::Unread { .. } | Stop::IncrementalCut) =>
            {
                Status::Partial
            }
            Stop::Okta(e) if e.is_skip() && written == 0 => Status::Skipped,
            Stop::Parent {
                status: Status::Skipped,
                ..
            }
            | Stop::Busy(_)
                if written == 0 =>
            {
                Status::Skipped
            }
            _ if written == 0 => Status::Failed,
            _ => Status::Partial,
        }
    }
}

/// Everything a manifest records about one resource's run.
pub(crate) struct Ended<'a> {
    pub resource: &'a str,
    pub outcome: Result<(), Stop>,
    pub parts: Vec<PartInfo>,
    pub tally: &'a RequestCounters,
    /// Requests made for this resource by earlier invocations of the same run.
    pub earlier_requests: RequestStats,
    /// Whether an earlier invocation of the run wrote this manifest (as partial) already.
    pub replace: bool,
    pub started: DateTime<Utc>,
    pub notes: Vec<String>,
    pub excluded: Vec<ParentFailure>,
    pub unread: Vec<ParentFailure>,
    pub lag_seconds: Option<i64>,
    /// How a snapshot of an incremental group was made.
    pub refresh: Option<crate::refresh::RefreshNote>,
}

impl Ended<'_> {
    /// The manifest this ending makes, without writing it (for a resource read only for its
    /// children's ids).
    pub(crate) fn summarise(self) -> Manifest {
        self.build(None)
    }

    fn build(self, ids: Option<(&TenantId, &RunId)>) -> Manifest {
        let written = crate::sink::records_written(&self.parts);
        let (status, reason) = match &self.outcome {
            Ok(()) => (Status::Complete, None),
            Err(stop) => (stop.status(written), Some(stop.to_string())),
        };
        Manifest {
            resource: self.resource.to_owned(),
            tenant: ids.map(|(t, _)| t.to_string()).unwrap_or_default(),
            run_id: ids.map(|(_, r)| r.to_string()).unwrap_or_default(),
            status,
            reason,
            notes: self.notes,
            excluded: self.excluded,
            unread: self.unread,
            records: written,
            parts: self.parts,
            requests: self.earlier_requests.plus(self.tally.snapshot()),
            lag_seconds: self.lag_seconds,
            started_at: self.started,
            finished_at: Utc::now(),
            changes: None,
            refresh: self.refresh,
        }
    }

    /// Builds the manifest, writes it (after the parts) and logs the outcome.
    pub(crate) async fn record(
        self,
        store: &ObjectStore,
        tenant: &TenantId,
        run: &RunId,
    ) -> Manifest {
        let resource = self.resource;
        let mode = if self.replace {
            PutMode::Overwrite
        } else {
            PutMode::CreateOnly
        };
        let mut manifest = self.build(Some((tenant, run)));
        match manifest.status {
            Status::Complete => tracing::info!(
                resource,
                records = manifest.records,
                requests = manifest.requests.requests,
                "resource complete"
            ),
            status => tracing::warn!(
                resource,
                status = ?status,
                reason = manifest.reason.as_deref(),
                "resource incomplete"
            ),
        }
        if let Err(e) = manifest.write(store, tenant, run, mode).await {
            tracing::error!(resource, error = %e, "could not write the manifest");
            manifest.status = Status::Failed;
            manifest.reason = Some(format!("writing the manifest: {e}"));
        }
        manifest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_stop_is_partial_even_before_the_first_page() {
        let cut = Stop::Okta(OktaError::Deadline {
            waited_for: "the rate limit's reset".into(),
        });
        for stop in [Stop::Deadline, cut] {
            assert_eq!(stop.status(0), Status::Partial, "{stop}");
            assert_eq!(stop.status(5), Status::Partial, "{stop}");
        }
        let missing = Stop::Okta(OktaError::MissingScope {
            scope: "okta.logs.read".into(),
        });
        assert_eq!(missing.status(0), Status::Skipped);
        let broken = Stop::Okta(OktaError::Malformed("not JSON".into()));
        assert_eq!(broken.status(0), Status::Failed);
        assert_eq!(broken.status(5), Status::Partial);
    }
}
