//! The output layout: every object key is made here, and nowhere else.
//!
//! ```text
//! {resource}/tenant={t}/dt={YYYY-MM-DD}/run={run_id}/part-{NNNNN}.{ext}    snapshots
//! system_log/tenant={t}/dt={YYYY-MM-DD}/hour={HH}/{run_id}-part-{NNNNN}.{ext}  events
//! ({ext}: parquet or json.gz, by output format)
//! _manifests/{resource}/tenant={t}/run={run_id}.json                          per run
//! _state/{resource or group}/tenant={t}/{name}.json                           checkpoints, leases, continuations
//! _status/tenant={t}/integration.json                                         connection check
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

use crate::tenant::TenantId;

/// A run's id: its UTC start time and a random suffix, so ids sort by time and never collide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId {
    id: String,
    started: DateTime<Utc>,
}

impl RunId {
    pub fn new(started: DateTime<Utc>) -> Self {
        Self {
            id: format!(
                "{}-{:04x}",
                started.format("%Y%m%dT%H%M%SZ"),
                fastrand::u16(..)
            ),
            started,
        }
    }

    /// A run id as [`RunId::new`] made it (a continuation carries it on).
    pub fn parse(id: &str) -> Result<Self, String> {
        let invalid = || format!("{id:?} is not a run id");
        let (time, suffix) = id.split_once('-').ok_or_else(invalid)?;
        if suffix.len() != 4 || !suffix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let started = chrono::NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%SZ")
            .map_err(|_| invalid())?
            .and_utc();
        Ok(Self {
            id: id.to_owned(),
            started,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }

    pub fn started(&self) -> DateTime<Utc> {
        self.started
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Where a snapshot run's parts go: the partition folder and the part file names.
pub fn snapshot_part(
    resource: &str,
    tenant: &TenantId,
    run: &RunId,
    part: u32,
    extension: &str,
) -> String {
    format!(
        "{resource}/tenant={tenant}/dt={}/run={run}/part-{part:05}.{extension}",
        run.started().format("%Y-%m-%d")
    )
}

/// Where an event published at `published` goes (partitioned by event time, not run time).
pub fn event_part(
    resource: &str,
    tenant: &TenantId,
    published: DateTime<Utc>,
    run_id: &str,
    part: u32,
    extension: &str,
) -> String {
    format!(
        "{resource}/tenant={tenant}/dt={}/hour={}/{run_id}-part-{part:05}.{extension}",
        published.format("%Y-%m-%d"),
        published.format("%H")
    )
}

pub fn manifest(resource: &str, tenant: &TenantId, run: &RunId) -> String {
    format!("_manifests/{resource}/tenant={tenant}/run={run}.json")
}

pub fn state(resource: &str, tenant: &TenantId, name: &str) -> String {
    format!("_state/{resource}/tenant={tenant}/{name}.json")
}

pub fn status(tenant: &TenantId) -> String {
    format!("_status/tenant={tenant}/integration.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keys_follow_the_documented_layout() {
        let started = Utc.with_ymd_and_hms(2026, 11, 28, 16, 43, 0).unwrap();
        let run = RunId::new(started);
        assert!(run.as_str().starts_with("20261128T164300Z-"));
        assert_eq!(run.as_str().len(), "20261128T164300Z-3f9a".len());
        let t = TenantId::parse("acme").unwrap();
        assert_eq!(
            snapshot_part("users", &t, &run, 7, "json.gz"),
            format!("users/tenant=acme/dt=2026-11-28/run={run}/part-00007.json.gz")
        );
        let published = Utc.with_ymd_and_hms(2026, 11, 27, 5, 1, 2).unwrap();
        assert_eq!(
            event_part("system_log", &t, published, run.as_str(), 0, "parquet"),
            format!("system_log/tenant=acme/dt=2026-11-27/hour=05/{run}-part-00000.parquet")
        );
        assert_eq!(
            manifest("users", &t, &run),
            format!("_manifests/users/tenant=acme/run={run}.json")
        );
        assert_eq!(
            state("system_log", &t, "checkpoint"),
            "_state/system_log/tenant=acme/checkpoint.json"
        );
        assert_eq!(status(&t), "_status/tenant=acme/integration.json");
    }

    #[test]
    fn run_ids_sort_by_time() {
        let a = RunId::new(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
        let b = RunId::new(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 6).unwrap());
        assert!(a.as_str() < b.as_str());
    }

    #[test]
    fn run_ids_parse_back() {
        let run = RunId::new(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(RunId::parse(run.as_str()).unwrap(), run);
        for bad in [
            "",
            "20260102T030405Z",
            "20260102T030405Z-xyz1",
            "2026-01-02-abcd",
        ] {
            assert!(RunId::parse(bad).is_err(), "{bad}");
        }
    }
}
