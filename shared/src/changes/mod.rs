//! The change feed: when a snapshot of a resource completes, what changed since the tenant's
//! previous complete snapshot of it, and who changed it.
//!
//! Each resource keeps a base: the last complete snapshot compared. A new complete snapshot
//! is compared with it ([`diff`], in bounded memory), each difference is named ([`kinds`])
//! and attributed to the System Log event that caused it ([`attribution`]), the records land
//! under `changes/`, then the manifest, and only then does the base move. A diff that could
//! not run leaves the base where it was, so the next complete snapshot is compared with it
//! and no change is missed. A partial snapshot is never compared; its manifest says so.

pub mod attribution;
pub mod diff;
pub mod kinds;
pub mod read;
pub mod records;
pub mod rules;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::columns;
use crate::layout::{self, RunId};
use crate::manifest::{ChangeSummary, Manifest, Status};
use crate::okta::RequestStats;
use crate::refresh::carry;
use crate::resources::{self, Resource};
use crate::scope::Scope;
use crate::sink::{PartShape, Parts};
use crate::store::{ObjectStore, PutMode, StateObject, StoreError};
use crate::tenant::TenantId;

use attribution::Causes;
use diff::{Difference, FieldChange, Sorter};
use kinds::Severity;

/// Changes attributed at most: past this many in one diff (a first comparison after a bulk
/// import, say) the records still land, unattributed, rather than hold every id in memory.
const MAX_ATTRIBUTED: usize = 200_000;

/// A resource's base: the last complete snapshot the feed compared (or started from).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Base {
    run_id: RunId,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    parts: Vec<String>,
}

impl Base {
    fn of(manifest: &Manifest, run: &RunId) -> Self {
        Self {
            run_id: run.clone(),
            started_at: manifest.started_at,
            finished_at: manifest.finished_at,
            parts: manifest.parts.iter().map(|p| p.key.clone()).collect(),
        }
    }
}

/// Why a diff did not run or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("scratch files: {0}")]
    Scratch(#[from] std::io::Error),
    #[error("{0}")]
    Task(String),
}

/// One change, as written.
#[derive(Serialize)]
struct Record<'a> {
    resource: &'a str,
    key: &'a str,
    id: &'a str,
    parent_id: Option<&'a str>,
    change: &'static str,
    kind: &'a str,
    severity: Severity,
    /// For a modification: the fields that changed, noise left out.
    fields: &'a [FieldChange],
    /// The object after the change (before it, for a removal), noise left out.
    object: Option<&'a Value>,
    from_run: &'a str,
    to_run: &'a str,
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
    /// The System Log event that made the change, if one is found.
    cause: Option<&'a attribution::Cause>,
    /// How the change was attributed, or why it was not.
    attribution: &'a str,
}

/// A difference as it waits in a scratch file between the diff and the writing.
#[derive(Serialize, Deserialize)]
struct Pending {
    key: String,
    change: diff::Change,
    before: Option<Value>,
    after: Option<Value>,
    fields: Vec<FieldChange>,
}

impl From<Difference> for Pending {
    fn from(d: Difference) -> Self {
        Self {
            key: d.key,
            change: d.change,
            before: d.before,
            after: d.after,
            fields: d.fields,
        }
    }
}

impl From<Pending> for Difference {
    fn from(p: Pending) -> Self {
        Self {
            key: p.key,
            change: p.change,
            before: p.before,
            after: p.after,
            fields: p.fields,
        }
    }
}

/// Compares `resource`'s snapshot of this run (its `manifest`) with the resource's base, and
/// writes the changes. Returns the changes manifest, or `None` when there is nothing to say
/// (this run's snapshot is already the base: a retried invocation).
///
/// `fresh`, for a snapshot an incremental run merged from its base run's: the keys of the
/// records that may differ from that run's. When the base compared with is that same run,
/// only those records are compared; the rest are the same bytes on both sides.
pub async fn record(
    scope: &Scope<'_>,
    resource: &'static Resource,
    manifest: &Manifest,
    fresh: Option<&KeyFilter>,
) -> Option<Manifest> {
    let state = StateObject::new(
        scope.store,
        layout::state(resource.name, scope.tenant, "changes-base"),
    );
    let started = Utc::now();
    let saved = match state.load::<Base>().await {
        Ok(saved) => saved,
        Err(e) => {
            return Some(summary(
                scope,
                resource,
                started,
                Status::Failed,
                Some(e.to_string()),
                None,
            ));
        }
    };
    if saved
        .as_ref()
        .is_some_and(|(base, _)| base.run_id == *scope.run)
    {
        return None;
    }
    let base_run = saved.as_ref().map(|(b, _)| b.run_id.to_string());
    if manifest.status != Status::Complete {
        let reason = match &base_run {
            Some(base) => format!(
                "this snapshot is {}; the next complete one is compared with run {base}",
                format!("{:?}", manifest.status).to_lowercase()
            ),
            None => "this snapshot is not complete; the first complete one becomes the base".into(),
        };
        return Some(summary(
            scope,
            resource,
            started,
            Status::Skipped,
            Some(reason),
            None,
        ));
    }
    let this = Base::of(manifest, scope.run);
    let Some((base, etag)) = saved else {
        // The first complete snapshot: nothing to compare with yet.
        let outcome = match state.save(&this, None).await {
            Ok(_) => (
                Status::Skipped,
                "the first complete snapshot: the base the next one is compared with".to_owned(),
            ),
            Err(e) => (Status::Failed, format!("saving the base: {e}")),
        };
        return Some(summary(
            scope,
            resource,
            started,
            outcome.0,
            Some(outcome.1),
            None,
        ));
    };
    let scratch = std::env::temp_dir().join(format!(
        "okta-ingest-changes-{}-{}-{}-{:08x}",
        scope.tenant,
        resource.name,
        scope.run,
        fastrand::u32(..)
    ));
    let merged_from_base = manifest
        .refresh
        .as_ref()
        .and_then(|r| r.base_run.as_deref())
        .is_some_and(|run| run == base.run_id.to_string());
    let only = fresh.filter(|_| merged_from_base).cloned();
    let compared = compare(scope, resource, &base, &this, &scratch, only).await;
    let _ = tokio::fs::remove_dir_all(&scratch).await;
    let (parts, counts) = match compared {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(resource = resource.name, error = %e, "changes not compared");
            let reason = format!(
                "not compared ({e}); the next complete snapshot is compared with run {}",
                base.run_id
            );
            return Some(summary(
                scope,
                resource,
                started,
                Status::Failed,
                Some(reason),
                None,
            ));
        }
    };
    let mut written = summary(
        scope,
        resource,
        started,
        Status::Complete,
        None,
        Some(counts),
    );
    written.records = parts.iter().map(|p| p.records).sum();
    written.parts = parts;
    // The manifest first, then the base: a crash between them compares the same pair again
    // and replaces the manifest with the same content.
    let key = layout::changes_manifest(scope.tenant, scope.run, resource.name);
    let body = serde_json::to_vec_pretty(&written).expect("a manifest serialises");
    if let Err(e) = scope.store.put(&key, body.into(), PutMode::Overwrite).await {
        written.status = Status::Failed;
        written.reason = Some(format!("writing the manifest: {e}"));
        return Some(written);
    }
    if let Err(e) = state.save(&this, Some(&etag)).await {
        tracing::warn!(resource = resource.name, error = %e, "the changes base did not move");
    }
    Some(written)
}

/// The changes manifest for `resource` (the feed's own; the snapshot's status is untouched).
fn summary(
    scope: &Scope<'_>,
    resource: &Resource,
    started: DateTime<Utc>,
    status: Status,
    reason: Option<String>,
    changes: Option<ChangeSummary>,
) -> Manifest {
    Manifest {
        resource: resources::CHANGE_FEED.name.to_owned(),
        tenant: scope.tenant.to_string(),
        run_id: scope.run.to_string(),
        status,
        reason,
        notes: Vec::new(),
        excluded: Vec::new(),
        unread: Vec::new(),
        records: 0,
        parts: Vec::new(),
        requests: RequestStats::default(),
        lag_seconds: None,
        started_at: started,
        finished_at: Utc::now(),
        changes: Some(changes.unwrap_or_else(|| ChangeSummary::of(resource.name))),
        refresh: None,
    }
}

/// Sorts both snapshots, diffs them, attributes and writes the changes.
async fn compare(
    scope: &Scope<'_>,
    resource: &'static Resource,
    base: &Base,
    this: &Base,
    scratch: &Path,
    only: Option<KeyFilter>,
) -> Result<(Vec<crate::sink::PartInfo>, ChangeSummary), FeedError> {
    let found = differences_where(
        scope.store,
        resource,
        &base.parts,
        &this.parts,
        scratch,
        only,
    )
    .await?;
    let window = (base.started_at, this.finished_at);
    let causes = if found.count > MAX_ATTRIBUTED {
        None
    } else {
        Some(read_causes(scope, resource.name, window, &found.ids, scratch).await?)
    };
    let admin_groups = if resource.name == "group_members" {
        admin_groups(scope.store, scope.tenant, scratch).await?
    } else {
        HashSet::new()
    };

    let mut counts = ChangeSummary::of(resource.name);
    counts.base_run = Some(base.run_id.to_string());
    counts.window_start = Some(window.0);
    counts.window_end = Some(window.1);
    let tenant = scope.tenant.clone();
    let run = scope.run.clone();
    let shape = PartShape {
        table: columns::table(resources::CHANGE_FEED.name)
            .expect("the change feed declares its columns"),
        added_column: None,
    };
    let mut series = Parts::after(
        scope.store,
        scope.formats,
        shape,
        move |n, extension| layout::change_part(&tenant, &run, resource.name, n, extension),
        &[],
    );
    let reader = BufReader::new(std::fs::File::open(&found.path)?);
    for line in reader.lines() {
        let pending: Pending = serde_json::from_str(&line?)
            .map_err(|e| FeedError::Task(format!("a pending difference: {e}")))?;
        let difference = Difference::from(pending);
        let (kind, severity) =
            kinds::classify(resource.name, &difference, &|g| admin_groups.contains(g));
        let cause = causes
            .as_ref()
            .and_then(|c| c.cause_of(resource.name, &difference.key));
        let attribution = match (&causes, cause) {
            (_, Some(_)) => "system_log",
            (Some(_), None) => "no matching System Log event in the window",
            (None, None) => "not attributed: too many changes in one comparison",
        };
        counts.count(&difference, cause.is_some());
        let record = Record {
            resource: resource.name,
            key: &difference.key,
            id: difference.own_id(),
            parent_id: resource.parent.as_ref().and(difference.parent_id()),
            change: difference.change.as_str(),
            kind: &kind,
            severity,
            fields: &difference.fields,
            object: difference.after.as_ref().or(difference.before.as_ref()),
            from_run: base.run_id.as_str(),
            to_run: this.run_id.as_str(),
            window_start: window.0,
            window_end: window.1,
            cause,
            attribution,
        };
        let line = serde_json::to_string(&record).expect("a change serialises");
        series.write(&line, None).await?;
    }
    Ok((series.finish().await?, counts))
}

/// What a comparison found, waiting in a scratch file for naming and attribution.
pub struct Found {
    /// Differences found (presence-only resources: additions and removals only).
    pub count: usize,
    /// The ids their keys name, for attribution (none past [`MAX_ATTRIBUTED`] differences).
    ids: HashSet<String>,
    /// One [`Difference`] per line, in key order.
    path: PathBuf,
}

impl Found {
    /// The keys of the first `n` differences.
    pub fn keys(&self, n: usize) -> std::io::Result<Vec<String>> {
        let reader = BufReader::new(std::fs::File::open(&self.path)?);
        let mut keys = Vec::new();
        for line in reader.lines().take(n) {
            let pending: Pending = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
            keys.push(format!("{} {}", pending.change.as_str(), pending.key));
        }
        Ok(keys)
    }
}

/// Which records of a snapshot a comparison looks at, by key.
pub type KeyFilter = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Sorts two snapshots of `resource` (the keys of their parts) in `scratch` and writes their
/// differences to a file there.
pub async fn differences(
    store: &ObjectStore,
    resource: &'static Resource,
    before: &[String],
    after: &[String],
    scratch: &Path,
) -> Result<Found, FeedError> {
    differences_where(store, resource, before, after, scratch, None).await
}

/// [`differences`] between the records of both snapshots that `keep` keeps (all without).
pub async fn differences_where(
    store: &ObjectStore,
    resource: &'static Resource,
    before: &[String],
    after: &[String],
    scratch: &Path,
    keep: Option<KeyFilter>,
) -> Result<Found, FeedError> {
    tokio::fs::create_dir_all(scratch).await?;
    let before = sort_snapshot(store, resource, before, scratch, "before", keep.clone()).await?;
    let after = sort_snapshot(store, resource, after, scratch, "after", keep).await?;
    let path = scratch.join("differences.jsonl");
    let file = path.clone();
    let presence_only = rules::presence_only(resource.name);
    let (count, ids) = blocking(move || {
        let mut out = BufWriter::new(std::fs::File::create(&file)?);
        let mut ids = HashSet::new();
        let mut count = 0usize;
        diff::diff(before, after, |d| {
            if presence_only && d.change == diff::Change::Modified {
                return Ok(());
            }
            count += 1;
            if count <= MAX_ATTRIBUTED {
                ids.extend(
                    d.key
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
            serde_json::to_writer(&mut out, &Pending::from(d))?;
            out.write_all(b"\n")
        })?;
        out.flush()?;
        Ok((count, ids))
    })
    .await?;
    Ok(Found { count, ids, path })
}

/// Runs blocking work (sorting, compressing, scratch files) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, FeedError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| FeedError::Task(format!("a sorting task ended: {e}")))?
        .map_err(FeedError::Scratch)
}

/// A snapshot's records, keyed, without noise, sorted by key.
async fn sort_snapshot(
    store: &ObjectStore,
    resource: &'static Resource,
    parts: &[String],
    scratch: &Path,
    name: &str,
    keep: Option<KeyFilter>,
) -> Result<diff::Sorted, FeedError> {
    let mut sorter = Sorter::new(scratch, name);
    let added = resource.parent.as_ref().map(|p| p.field).or(resource.label);
    for (i, key) in records::one_format(parts).into_iter().enumerate() {
        let file = scratch.join(format!("{name}-part-{i:05}"));
        if !store.download(&key, &file).await? {
            return Err(FeedError::Task(format!(
                "{} is listed in its manifest but is not in the store",
                store.location(&key)
            )));
        }
        let keep = keep.clone();
        sorter = blocking(move || {
            let mut push = |record: Value| {
                let key = rules::key(resource, &record);
                if keep.as_ref().is_some_and(|keep| !keep(&key)) {
                    return Ok(());
                }
                let kept = rules::without_noise(resource.name, record);
                sorter.push(key, kept.to_string())
            };
            match &keep {
                // Most records left out: each is skipped on its key, read without parsing the
                // rest of it (a record without a string `id` is parsed and judged whole).
                Some(keep) => records::for_each_raw(&key, &file, added, |raw, parent| {
                    if let Some(id) = carry::id_of(raw) {
                        let record_key = match resource.parent {
                            Some(_) => format!("{}/{id}", parent.unwrap_or_default()),
                            None => id,
                        };
                        if !keep(&record_key) {
                            return Ok(());
                        }
                    }
                    push(records::record_of(&key, raw, added, parent)?)
                })?,
                None => records::for_each(&key, &file, added, push)?,
            }
            std::fs::remove_file(&file)?;
            Ok(sorter)
        })
        .await?;
    }
    blocking(move || sorter.finish()).await
}

/// The landed System Log events of `window` that can explain a change of `resource` to one
/// of `ids`. The window opens when the base snapshot started: a change made before its
/// listing read the object is already in the base, and one made after is later than that.
async fn read_causes(
    scope: &Scope<'_>,
    resource: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    ids: &HashSet<String>,
    scratch: &Path,
) -> Result<Causes, FeedError> {
    let mut causes = Causes::within(start, end);
    let log = resources::CHANGE_FEED.events;
    let mut hour = start;
    let mut keys = Vec::new();
    while hour < end + Duration::hours(1) {
        // Each hour in one format: both hold the same events.
        let listed = scope
            .store
            .list(&layout::event_hour(log, scope.tenant, hour))
            .await?;
        keys.extend(records::one_format(&listed));
        hour += Duration::hours(1);
    }
    for (i, key) in keys.into_iter().enumerate() {
        let file = scratch.join(format!("events-{i:05}"));
        if !scope.store.download(&key, &file).await? {
            continue;
        }
        let resources = HashSet::from([resource.to_owned()]);
        let ids = ids.clone();
        let mut found = std::mem::replace(&mut causes, Causes::within(start, end));
        causes = blocking(move || {
            let resources: HashSet<&str> = resources.iter().map(String::as_str).collect();
            records::for_each(&key, &file, None, |event| {
                found.offer(&event, &resources, &ids);
                Ok(())
            })?;
            std::fs::remove_file(&file)?;
            Ok(found)
        })
        .await?;
    }
    Ok(causes)
}

/// The groups holding admin roles, from the tenant's last compared `group_roles` snapshot.
async fn admin_groups(
    store: &ObjectStore,
    tenant: &TenantId,
    scratch: &Path,
) -> Result<HashSet<String>, FeedError> {
    let state = StateObject::new(
        store,
        layout::state(resources::CHANGE_FEED.admin_groups, tenant, "changes-base"),
    );
    let Some((base, _)) = state.load::<Base>().await? else {
        return Ok(HashSet::new());
    };
    let field = resources::find(resources::CHANGE_FEED.admin_groups)
        .and_then(|r| r.parent.as_ref())
        .map(|p| p.field)
        .expect("admin roles of groups name their group");
    let mut groups = HashSet::new();
    for (i, key) in records::one_format(&base.parts).into_iter().enumerate() {
        let file = scratch.join(format!("group-roles-{i:05}"));
        if !store.download(&key, &file).await? {
            continue;
        }
        let mut found = std::mem::take(&mut groups);
        groups = blocking(move || {
            records::for_each(&key, &file, Some(field), |record| {
                if let Some(group) = record.get(field).and_then(Value::as_str) {
                    found.insert(group.to_owned());
                }
                Ok(())
            })?;
            Ok(found)
        })
        .await?;
    }
    Ok(groups)
}
