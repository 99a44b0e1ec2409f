//! The output layout: every object key is made here, and nowhere else.
//!
//! ```text
//! {resource}/tenant={t}/dt={YYYY-MM-DD}/run={run_id}/part-{NNNNN}.{ext}    snapshots
//! system_log/tenant={t}/dt={YYYY-MM-DD}/hour={HH}/{run_id}-part-{NNNNN}.{ext}  events
//! ({ext}: parquet or json.gz, by output format)
//! changes/tenant={t}/dt={YYYY-MM-DD}/run={run_id}/{resource}-part-{NNNNN}.{ext}  change feed
//! _manifests/{resource}/tenant={t}/run={run_id}.json                          per run
//! _manifests/changes/tenant={t}/run={run_id}-{resource}.json                  per compared resource
//! _state/{resource or group}/tenant={t}/{name}.json                           checkpoints, leases, continuations
//! _status/tenant={t}/integration.json                                         connection check
//! ```

use std::fmt;

use chrono::{DateTime, Timelike, Utc};

use crate::tenant::TenantId;

/// A run's id: its UTC start time and a random suffix, so ids sort by time and never collide.
/// In state and messages it is the id's text, checked again when read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct RunId {
    id: String,
    started: DateTime<Utc>,
}

impl RunId {
    pub fn new(started: DateTime<Utc>) -> Self {
        // The id holds whole seconds; so does `started`, so an id read back is equal to it.
        let started = started.with_nanosecond(0).unwrap_or(started);
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

impl From<RunId> for String {
    fn from(run: RunId) -> String {
        run.id
    }
}

impl TryFrom<String> for RunId {
    type Error = String;

    fn try_from(id: String) -> Result<Self, String> {
        RunId::parse(&id)
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

/// The hour folder of events published in `hour`, as [`event_part`] names them.
pub fn event_hour(resource: &str, tenant: &TenantId, hour: DateTime<Utc>) -> String {
    format!(
        "{resource}/tenant={tenant}/dt={}/hour={}/",
        hour.format("%Y-%m-%d"),
        hour.format("%H")
    )
}

/// Where a run's changes to `source` go: beside the other resources' changes of the run.
pub fn change_part(
    tenant: &TenantId,
    run: &RunId,
    source: &str,
    part: u32,
    extension: &str,
) -> String {
    format!(
        "changes/tenant={tenant}/dt={}/run={run}/{source}-part-{part:05}.{extension}",
        run.started().format("%Y-%m-%d")
    )
}

/// The change feed's manifest of `source` in `run`.
pub fn changes_manifest(tenant: &TenantId, run: &RunId, source: &str) -> String {
    format!("_manifests/changes/tenant={tenant}/run={run}-{source}.json")
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
        assert_eq!(
            change_part(&t, &run, "users", 0, "json.gz"),
            format!("changes/tenant=acme/dt=2026-11-28/run={run}/users-part-00000.json.gz")
        );
        assert_eq!(
            changes_manifest(&t, &run, "users"),
            format!("_manifests/changes/tenant=acme/run={run}-users.json")
        );
        assert!(
            event_part("system_log", &t, published, run.as_str(), 0, "parquet")
                .starts_with(&event_hour("system_log", &t, published))
        );
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
        let now = RunId::new(Utc::now());
        assert_eq!(
            RunId::parse(now.as_str()).unwrap(),
            now,
            "sub-seconds are not kept"
        );
        for bad in [
            "",
            "20260102T030405Z",
            "20260102T030405Z-xyz1",
            "2026-01-02-abcd",
        ] {
            assert!(RunId::parse(bad).is_err(), "{bad}");
            assert!(
                serde_json::from_value::<RunId>(bad.into()).is_err(),
                "{bad}"
            );
        }
        let text = serde_json::to_string(&run).unwrap();
        assert_eq!(text, format!("\"{run}\""), "stored as its text");
        assert_eq!(serde_json::from_str::<RunId>(&text).unwrap(), run);
    }
}
