//! Durable run state: the System Log's polling cursor (with the de-duplication boundary), and
//! the lease that keeps two runs for one tenant from working at once (which, for a group's
//! queued runs, also coalesces the schedule's ticks and is handed from one invocation of a run
//! to its continuation).
//!
//! Both are small JSON objects changed only by conditional writes: create-only when absent,
//! compare-and-swap on the ETag otherwise. Whoever loses a write stops without writing more.
//!
//! In a local folder (the CLI) a lease also names the holder's host and process, so a run
//! that finds it held by a process of this host that no longer exists takes it over at once.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::process::Process;
use crate::store::{ObjectStore, PutMode, StoreError};

/// Where the live System Log poll stands for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The `next` link to poll from, verbatim as Okta gave it.
    pub cursor: String,
    /// The newest `published` delivered so far.
    pub watermark: Option<DateTime<Utc>>,
    /// Uuid → `published` of the events delivered within [`BOUNDARY`] of the watermark: an
    /// event seen again (after a restart from the watermark) is dropped.
    pub boundary: BTreeMap<String, DateTime<Utc>>,
    /// Set while a run may have written parts beyond `cursor`: whoever continues writes the
    /// same part names again, so a crashed run's parts are replaced, not duplicated.
    pub writing: Option<PartNaming>,
    /// Where live ingestion began (the first run's `since`).
    pub started_from: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The names the next page's parts get: `{run_id}-part-{part:05}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartNaming {
    pub run_id: String,
    pub part: u32,
}

/// How far behind the watermark an event may be and still be remembered for de-duplication.
pub const BOUNDARY: Duration = Duration::seconds(5);

impl Checkpoint {
    /// Records delivered events: moves the watermark and keeps the boundary window's uuids.
    pub fn advance(&mut self, delivered: impl IntoIterator<Item = (String, DateTime<Utc>)>) {
        for (uuid, published) in delivered {
            self.watermark = Some(self.watermark.map_or(published, |w| w.max(published)));
            self.boundary.insert(uuid, published);
        }
        if let Some(watermark) = self.watermark {
            let floor = watermark - BOUNDARY;
            self.boundary.retain(|_, published| *published >= floor);
        }
    }

    /// True if this event was already delivered (within the boundary window).
    pub fn delivered(&self, uuid: &str) -> bool {
        self.boundary.contains_key(uuid)
    }
}

/// Who may work on a tenant's System Log, or a tenant's group, right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub expires_at: DateTime<Utc>,
    /// The scheduled tick the holder's run serves, when it came from the work queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick: Option<DateTime<Utc>>,
    /// The continuation the lease was handed to (its message's [`Carry::key`]): until the
    /// lease expires only that message may take it, so no fresh run slips in between two
    /// invocations of one run.
    ///
    /// [`Carry::key`]: crate::queue::Carry::key
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heir: Option<String>,
    /// The newest tick whose run has ended without failing: a copy of it, or an older tick,
    /// has nothing left to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served: Option<DateTime<Utc>>,
    /// The newest tick waiting for the holder to finish: older ticks are dropped, so the
    /// ticks that arrive during a long run become one run after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<DateTime<Utc>>,
    /// The holder's process, in a local folder only (in S3 the holder is a Lambda invocation,
    /// whose liveness no process id tells).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<Process>,
}

/// A lease another run holds, and where it is stored: what a refusal tells the operator.
#[derive(Debug, Clone)]
pub struct Holder {
    pub lease: Lease,
    /// The lease object's full location (`s3://…/lease.json` or a path).
    pub location: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let until = self
            .lease
            .expires_at
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        write!(f, "run {}", self.lease.holder)?;
        if let Some(p) = &self.lease.process {
            write!(f, " (process {} on {})", p.pid, p.host)?;
        }
        write!(
            f,
            ", until {until}; wait until then, or, if you are sure that run is dead, delete {}",
            self.location
        )
    }
}

/// A small JSON object changed only by conditional writes.
pub struct StateObject<'s> {
    store: &'s ObjectStore,
    key: String,
}

impl<'s> StateObject<'s> {
    pub fn new(store: &'s ObjectStore, key: String) -> Self {
        Self { store, key }
    }

    /// `lease` held by another run, as a refusal names it.
    fn holder(&self, lease: Lease) -> Holder {
        Holder {
            lease,
            location: self.store.location(&self.key),
        }
    }

    /// The current value and its ETag, or `None` if there is none yet.
    pub async fn load<T: DeserializeOwned>(&self) -> Result<Option<(T, String)>, StoreError> {
        let Some(object) = self.store.get(&self.key).await? else {
            return Ok(None);
        };
        let value = serde_json::from_slice(&object.body).map_err(|e| StoreError::Io {
            key: self.store.location(&self.key),
            detail: format!("not a valid state object ({e}); move it aside to start over"),
        })?;
        Ok(Some((value, object.etag)))
    }

    /// Writes `value` if the object is still at `expected` (`None`: if there is none).
    /// [`StoreError::Conflict`] means another writer got there first.
    pub async fn save<T: Serialize>(
        &self,
        value: &T,
        expected: Option<&str>,
    ) -> Result<String, StoreError> {
        let body = serde_json::to_vec_pretty(value).expect("state serialises");
        let mode = match expected {
            None => PutMode::CreateOnly,
            Some(etag) => PutMode::ReplaceIfMatch(etag.to_owned()),
        };
        self.store.put(&self.key, body.into(), mode).await
    }
}

/// A lease held by this run; release it when done so the next run need not wait for expiry.
pub struct HeldLease<'s> {
    object: StateObject<'s>,
    etag: String,
    lease: Lease,
}

/// Who is asking for a lease.
#[derive(Debug, Clone, Copy)]
pub enum Claim<'a> {
    /// A run that serves no tick (the System Log's own lease).
    Plain,
    /// A fresh run for a scheduled tick.
    Tick(DateTime<Utc>),
    /// A continuation, by its message's key, carrying on a run for this tick.
    Heir(&'a str, DateTime<Utc>),
}

impl Claim<'_> {
    fn tick(self) -> Option<DateTime<Utc>> {
        match self {
            Claim::Plain => None,
            Claim::Tick(t) | Claim::Heir(_, t) => Some(t),
        }
    }
}

/// Why a lease was not taken.
#[derive(Debug)]
pub enum LeaseRefused {
    /// Another live run holds it.
    Held(Holder),
    /// A tick's run is not needed: a run for it, or for a newer tick, has ended, is going,
    /// or waits.
    Served,
    /// A tick's run must wait for the holder; it is recorded as the tick waiting, until then.
    Wait(DateTime<Utc>),
    Store(StoreError),
}

impl<'s> HeldLease<'s> {
    /// Takes the lease until `expires_at`, unless another live run holds it (or, for a tick,
    /// the tick needs no run).
    pub async fn acquire(
        object: StateObject<'s>,
        holder: &str,
        expires_at: DateTime<Utc>,
        claim: Claim<'_>,
    ) -> Result<HeldLease<'s>, LeaseRefused> {
        let current: Option<(Lease, String)> = object.load().await.map_err(LeaseRefused::Store)?;
        let tick = claim.tick();
        if let (Claim::Tick(t), Some((lease, _))) = (claim, &current)
            && lease.served.is_some_and(|served| served >= t)
        {
            return Err(LeaseRefused::Served);
        }
        let local = object.store.is_local();
        if let Some((lease, etag)) = &current
            && lease.expires_at > Utc::now()
            && lease.holder != holder
            && !matches!(claim, Claim::Heir(key, _) if lease.heir.as_deref() == Some(key))
        {
            match &lease.process {
                // A crashed CLI run would otherwise block the next one until its lease expires.
                Some(dead) if local && dead.is_gone() => tracing::warn!(
                    holder = %lease.holder,
                    pid = dead.pid,
                    host = %dead.host,
                    "took over the lease of a run whose process on this host no longer exists"
                ),
                _ => {
                    return Err(match claim {
                        Claim::Tick(t) => wait_behind(&object, lease.clone(), etag, t).await,
                        _ => LeaseRefused::Held(object.holder(lease.clone())),
                    });
                }
            }
        }
        let earlier = current.as_ref().map(|(lease, _)| lease);
        let lease = Lease {
            holder: holder.to_owned(),
            expires_at,
            tick,
            heir: None,
            served: earlier.and_then(|l| l.served),
            // A waiting tick this run serves is taken care of; a newer one still waits.
            waiting: earlier
                .and_then(|l| l.waiting)
                .filter(|w| tick.is_none_or(|t| *w > t)),
            process: if local { Process::current() } else { None },
        };
        match object
            .save(&lease, current.as_ref().map(|(_, etag)| etag.as_str()))
            .await
        {
            Ok(etag) => Ok(HeldLease {
                object,
                etag,
                lease,
            }),
            // Someone took it between our read and our write: theirs now.
            Err(StoreError::Conflict { .. }) => {
                let theirs = object.load::<Lease>().await.ok().flatten().map(|(l, _)| l);
                Err(match (claim, theirs) {
                    (Claim::Tick(_), Some(theirs)) => LeaseRefused::Wait(theirs.expires_at),
                    (_, theirs) => LeaseRefused::Held(object.holder(theirs.unwrap_or(lease))),
                })
            }
            Err(e) => Err(LeaseRefused::Store(e)),
        }
    }

    /// Hands the lease to the continuation whose message has `key`, until `until`.
    pub async fn hand_over(&mut self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        let handed = Lease {
            expires_at: until,
            heir: Some(key.to_owned()),
            ..self.lease.clone()
        };
        self.etag = self.object.save(&handed, Some(&self.etag)).await?;
        self.lease = handed;
        Ok(())
    }

    /// Ends the lease now (best effort: if it fails, the lease simply expires). `served`: the
    /// run for the lease's tick has ended without failing, so copies of that tick are dropped.
    pub async fn release(self, served: bool) {
        let released = Lease {
            expires_at: Utc::now(),
            heir: None,
            served: if served {
                self.lease.served.max(self.lease.tick)
            } else {
                self.lease.served
            },
            ..self.lease.clone()
        };
        if let Err(e) = self.object.save(&released, Some(&self.etag)).await {
            tracing::warn!(error = %e, "could not release the lease; it expires on its own");
        }
    }
}

/// A tick that found `lease` held: nothing to do if the holder's run serves it or a newer
/// tick waits; otherwise it becomes the tick waiting, and waits until the lease ends.
async fn wait_behind(
    object: &StateObject<'_>,
    mut lease: Lease,
    etag: &str,
    tick: DateTime<Utc>,
) -> LeaseRefused {
    if lease.tick.is_some_and(|t| t >= tick) || lease.waiting.is_some_and(|w| w > tick) {
        return LeaseRefused::Served;
    }
    if lease.waiting != Some(tick) {
        lease.waiting = Some(tick);
        // Lost to another writer: the message waits anyway and looks again when it is back.
        match object.save(&lease, Some(etag)).await {
            Ok(_) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return LeaseRefused::Store(e),
        }
    }
    LeaseRefused::Wait(lease.expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local store in a fresh temporary folder, and the folder (removed by the caller).
    async fn local_store() -> (ObjectStore, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("okta-ingest-lease-{:016x}", fastrand::u64(..)));
        let store = ObjectStore::open(dir.to_str().unwrap()).await.unwrap();
        (store, dir)
    }

    /// This machine's host name, as `hostname` prints it.
    fn hostname() -> String {
        let out = std::process::Command::new("hostname").output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Writes the lease a CLI run in process `pid` on this host would leave, valid 15 minutes.
    async fn plant_lease(store: &ObjectStore, pid: u32) {
        let lease = serde_json::json!({
            "holder": "20261204T120000Z-dead",
            "expires_at": Utc::now() + Duration::minutes(15),
            "process": {"host": hostname(), "pid": pid},
        });
        store
            .put(LEASE, lease.to_string().into(), PutMode::Overwrite)
            .await
            .unwrap();
    }

    const LEASE: &str = "_state/system_log/tenant=acme/lease.json";

    #[tokio::test]
    async fn a_local_lease_whose_process_is_gone_is_taken_over_at_once() {
        let (store, dir) = local_store().await;
        let mut crashed = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let pid = crashed.id();
        crashed.kill().unwrap();
        crashed.wait().unwrap();
        plant_lease(&store, pid).await;
        let taken = HeldLease::acquire(
            StateObject::new(&store, LEASE.into()),
            "20261204T120500Z-next",
            Utc::now() + Duration::minutes(15),
            Claim::Plain,
        )
        .await;
        assert!(taken.is_ok(), "{:?}", taken.err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_local_lease_whose_process_runs_is_still_refused() {
        let (store, dir) = local_store().await;
        let mut running = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        plant_lease(&store, running.id()).await;
        let refused = HeldLease::acquire(
            StateObject::new(&store, LEASE.into()),
            "20261204T120500Z-next",
            Utc::now() + Duration::minutes(15),
            Claim::Plain,
        )
        .await;
        running.kill().unwrap();
        running.wait().unwrap();
        let Err(LeaseRefused::Held(holder)) = refused else {
            panic!("not refused: {:?}", refused.err());
        };
        let said = holder.to_string();
        let path = dir.join(LEASE);
        for part in [
            "run 20261204T120000Z-dead",
            &format!(
                "(process {} on {})",
                holder.lease.process.as_ref().unwrap().pid,
                hostname()
            ),
            "wait until",
            &format!("delete {}", path.display()),
        ] {
            assert!(said.contains(part), "{part:?} not in {said}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn boundary_keeps_the_last_seconds_of_uuids() {
        let t0 = Utc::now();
        let mut c = Checkpoint {
            cursor: "c".into(),
            watermark: None,
            boundary: BTreeMap::new(),
            writing: None,
            started_from: t0,
            updated_at: t0,
            updated_by: "r".into(),
        };
        c.advance([
            ("a".to_owned(), t0),
            ("b".to_owned(), t0 + Duration::seconds(3)),
        ]);
        assert!(c.delivered("a") && c.delivered("b"));
        // A late event (published long ago) moves nothing and is not needed at the boundary.
        c.advance([("late".to_owned(), t0 - Duration::hours(1))]);
        assert_eq!(c.watermark, Some(t0 + Duration::seconds(3)));
        assert!(!c.delivered("late"));
        c.advance([("c".to_owned(), t0 + Duration::seconds(9))]);
        assert!(!c.delivered("a"), "a fell out of the 5 s window");
        assert!(!c.delivered("b") && c.delivered("c"));
    }
}
