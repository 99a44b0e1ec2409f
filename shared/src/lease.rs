//! The lease that keeps two runs for one tenant from working at once (which, for a group's
//! queued runs, also coalesces the schedule's ticks and is handed from one invocation of a run
//! to its continuation). A state object changed only by conditional writes.
//!
//! In a local folder (the CLI) a lease also names the holder's host and process, so a run
//! that finds it held by a process of this host that no longer exists takes it over at once.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::process::Process;
use crate::store::{StateObject, StoreError};

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
        let local = object.is_local();
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
                        _ => LeaseRefused::Held(held_by(&object, lease.clone())),
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
                    (_, theirs) => LeaseRefused::Held(held_by(&object, theirs.unwrap_or(lease))),
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

/// `lease` held by another run, and where it is stored: what a refusal names.
fn held_by(object: &StateObject<'_>, lease: Lease) -> Holder {
    Holder {
        lease,
        location: object.location(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ObjectStore, PutMode};
    use chrono::Duration;

    /// A local store in a fresh temporary folder, and the folder (removed by the caller).
    async fn local_store() -> (ObjectStore, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("okta-ingest-lease-{:016x}", fastrand::u64(..)));
        let store =
            ObjectStore::Local(crate::store::LocalStore::new(dir.to_str().unwrap()).unwrap());
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
}
