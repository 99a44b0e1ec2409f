//! Incremental refresh: a snapshot run that costs what changed, not what exists.
//!
//! Each written resource keeps its current state (`_state/{resource}/tenant=…/current.json`):
//! the run whose parts hold its complete current records. An incremental run of a group reads
//! from Okta only
//! - the roots that changed since that state (a `lastUpdated` filter where Okta has one, see
//!   [`Resource::changed_since`](crate::resources::Resource::changed_since); roots without one
//!   are listed in full, which is cheap, and compared with the state to find what changed);
//! - the children of those roots, and of the parents the System Log names ([`events`]);
//!
//! and then writes a complete state like any run's: what it read, plus every record of the
//! previous state that nothing superseded ([`carry`]), less what the log says was deleted.
//! Readers see one more complete snapshot, with `refresh` in its manifest saying how it was
//! made. A full run (the first, a forced one, or the reconciliation once the last full run is
//! older than the reconciliation interval) reads everything, and measures how far the
//! incremental state had drifted from it: the records an incremental run would have carried
//! that differ from Okta's. That should be zero.

pub mod carry;
pub mod events;

use std::collections::HashMap;
use std::pin::pin;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::layout::{self, RunId};
use crate::manifest::{Manifest, ParentFailure, Status};
use crate::okta::{OktaError, RequestCounters, Shape};
use crate::pii::{PiiPolicy, scrub, secrets_of};
use crate::resources::{self, Group, Kind, Resource};
use crate::scope::Scope;
use crate::store::StateObject;

use events::Named;

/// Okta keeps 90 days of System Log: a state older than that cannot be brought up to date.
const LOG_RETENTION: Duration = Duration::days(90);
/// The System Log's largest page.
const LOG_PAGE: u32 = 1000;

/// Which runs may be incremental (`OKTA_INGEST_REFRESH`, the CLI's `--refresh`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefreshMode {
    /// Incremental when a recent enough state allows it; full otherwise.
    #[default]
    Auto,
    /// Always full.
    Full,
}

impl std::str::FromStr for RefreshMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "full" => Ok(Self::Full),
            other => Err(format!("unknown refresh mode {other:?}: auto or full")),
        }
    }
}

/// When a run is incremental: the mode, and how old a full run may be before the next run is
/// full again (`OKTA_INGEST_RECONCILE_HOURS`, default 24).
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    pub mode: RefreshMode,
    pub reconcile_every: Duration,
    /// How far back of the previous state's start an incremental run looks, in the root
    /// filters and in the System Log: a bounded log query may miss an event still in Okta's
    /// pipeline (Okta says minutes at most), which the next run's window then covers again.
    pub overlap: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            mode: RefreshMode::Auto,
            reconcile_every: Duration::hours(24),
            overlap: Duration::minutes(5),
        }
    }
}

/// A resource's current state: the complete snapshot a reader trusts, and what it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Current {
    pub run_id: RunId,
    pub started_at: DateTime<Utc>,
    /// Its part keys (every format written).
    pub parts: Vec<String>,
    /// Parents its children leave out on purpose, still left out unless read again.
    #[serde(default)]
    pub excluded: Vec<ParentFailure>,
    /// The full run this state descends from (itself, for a full run).
    pub full_run: RunId,
    pub full_started_at: DateTime<Utc>,
    /// The tenant's PII policy its records were written under ([`PiiPolicy::fingerprint`]).
    #[serde(default)]
    pub pii: Option<String>,
}

/// How a complete snapshot was made, in its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshNote {
    /// `full` or `incremental`.
    pub mode: String,
    /// Why this mode.
    pub reason: String,
    /// The state it was merged with (incremental), or compared with (a reconciliation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_run: Option<String>,
    /// The full run the state descends from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_run: Option<String>,
    /// Changes since this moment were read (the base's start less the overlap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Records read from Okta in this run.
    pub read: u64,
    /// Records taken over from the base unchanged.
    pub carried: u64,
    /// Records of the base left out: superseded by a new reading, or deleted.
    pub dropped: u64,
    /// Members added from the System Log's membership events, not read from Okta.
    #[serde(default)]
    pub applied: u64,
    /// System Log events that named objects to read again or remove.
    pub events: u64,
    /// A reconciliation only: records an incremental run would have carried that differ from
    /// Okta's (missing, extra or stale). Should be zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<u64>,
    /// A few of them, by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift_examples: Vec<String>,
}

/// What an incremental run (or a reconciliation's measure of one) knows before it lists.
pub struct Incremental {
    /// Whether this run lists by change and carries the rest; `false` for a full run that
    /// only measures the drift.
    pub apply: bool,
    pub since: DateTime<Utc>,
    /// The System Log's verdicts on the window.
    pub named: Named,
    /// The current state of each written resource.
    pub previous: HashMap<&'static str, Current>,
    /// Resource name → the changed records of the resource it mirrors, by id (as written:
    /// after the PII controls).
    pub mirrored: HashMap<&'static str, HashMap<String, String>>,
    /// For roots listed in full: each previous record's hash, by id, to tell what changed.
    pub previous_roots: HashMap<&'static str, HashMap<String, u64>>,
    /// Child resource → the records of the members its events added ([`events::MEMBERSHIPS`]),
    /// by id, as written: from the mirrored resource's changes, or else its current state.
    pub members: HashMap<&'static str, HashMap<String, String>>,
    /// Requests made to learn all this (log pages, mirrored listings).
    pub requests: RequestCounters,
    pub reason: String,
}

/// The change-filtered listing of `resource` for changes since `since`, if it has one.
fn changed_listing(resource: &Resource, since: DateTime<Utc>) -> Option<String> {
    let filter = resource.changed_since.as_ref()?;
    let since = since.to_rfc3339_opts(SecondsFormat::Millis, true);
    let encoded: String = url::form_urlencoded::byte_serialize(since.as_bytes()).collect();
    Some(filter.listing.replace("{since}", &encoded))
}

impl Incremental {
    /// The listings `resource` reads: its change-filtered one in an incremental run.
    pub fn listings(&self, resource: &Resource) -> Option<Vec<String>> {
        changed_listing(resource, self.since)
            .filter(|_| self.apply)
            .map(|listing| vec![listing])
    }

    /// Whether the System Log accounts for every change to `child`'s listing of `parent`, a
    /// record its root listed as changed: the parent is not new, and its members either did
    /// not move in the window or moved at an event this run applies. The listing is then not
    /// read again.
    pub fn accounts_for(&self, child: &Resource, parent: &str, record: &str) -> bool {
        let Some(membership) = events::MEMBERSHIPS.iter().find(|m| m.child == child.name) else {
            return false;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(record) else {
            return false;
        };
        let time = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(|t| t.as_str())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let (Some(created), Some(moved)) = (time("/created"), time(membership.moved)) else {
            return false;
        };
        created < self.since
            && (moved < self.since || self.named.explains(child.name, parent, moved))
    }

    /// The note for a resource's manifest, before its counts.
    pub fn note(&self, resource: &str) -> RefreshNote {
        let base = self.previous.get(resource);
        RefreshNote {
            mode: if self.apply { "incremental" } else { "full" }.into(),
            reason: self.reason.clone(),
            base_run: base.map(|b| b.run_id.to_string()),
            full_run: base.map(|b| {
                if self.apply {
                    b.full_run.to_string()
                } else {
                    String::new()
                }
            }),
            since: Some(self.since),
            ..RefreshNote::default()
        }
    }
}

/// What a group run does: read everything, or only what changed.
pub enum Plan {
    Full {
        reason: String,
    },
    /// An incremental run, or a full one measuring the drift (`apply` false).
    Incremental(Box<Incremental>),
}

impl Plan {
    /// The incremental run (or the reconciliation's measure of one), if this is one.
    pub fn incremental(&self) -> Option<&Incremental> {
        match self {
            Plan::Incremental(i) => Some(i),
            Plan::Full { .. } => None,
        }
    }

    /// The note of a plain full run.
    pub fn full_note(&self) -> Option<RefreshNote> {
        match self {
            Plan::Full { reason } => Some(RefreshNote {
                mode: "full".into(),
                reason: reason.clone(),
                ..RefreshNote::default()
            }),
            Plan::Incremental(_) => None,
        }
    }
}

/// Decides how `group` runs for this tenant, and gathers what an incremental run needs.
pub async fn plan(
    scope: &Scope<'_>,
    group: &Group,
    names: &[&'static str],
    policy: &RefreshPolicy,
) -> Plan {
    if group.kind != Kind::Snapshot || !group.incremental {
        return Plan::Full {
            reason: "this group is always read in full".into(),
        };
    }
    let now = scope.run.started();
    let mut previous = HashMap::new();
    let mut why_full = None;
    // A root listed in full and read whole needs no state (one with children uses its state,
    // if any, to tell which parents changed).
    let needs_state = |r: &Resource| r.parent.is_some() || r.changed_since.is_some();
    for resource in group.resources.iter().filter(|r| names.contains(&r.name)) {
        let state = StateObject::new(
            scope.store,
            layout::state(resource.name, scope.tenant, "current"),
        );
        match state.load::<Current>().await {
            Ok(Some((current, _))) => {
                previous.insert(resource.name, current);
            }
            Ok(None) if needs_state(resource) => {
                why_full.get_or_insert(format!("{} has no complete state yet", resource.name));
            }
            Ok(None) => {}
            Err(e) => {
                why_full
                    .get_or_insert(format!("{}'s state could not be read ({e})", resource.name));
            }
        }
    }
    let pii = scope.pii.map(PiiPolicy::fingerprint);
    if previous.values().any(|c| c.pii != pii) {
        why_full
            .get_or_insert("the tenant's PII settings changed since the state was written".into());
    }
    let oldest = previous.values().map(|c| c.started_at).min();
    let oldest_full = previous.values().map(|c| c.full_started_at).min();
    let Some((oldest, oldest_full)) = oldest.zip(oldest_full) else {
        return Plan::Full {
            reason: why_full.unwrap_or_else(|| "nothing to refresh".into()),
        };
    };
    let since = oldest - policy.overlap;
    let apply = match (why_full, policy.mode) {
        (Some(reason), _) => return Plan::Full { reason },
        (None, RefreshMode::Full) => {
            return Plan::Full {
                reason: "a full run was asked for".into(),
            };
        }
        _ if since < now - LOG_RETENTION => {
            return Plan::Full {
                reason: format!(
                    "the state (run {}) is older than the System Log's 90 days",
                    previous
                        .values()
                        .next()
                        .map(|c| c.run_id.to_string())
                        .unwrap_or_default()
                ),
            };
        }
        // Reconciliation: a full run, which also measures what an incremental one would
        // have got wrong.
        _ if oldest_full <= now - policy.reconcile_every => false,
        _ => true,
    };
    let reason = if apply {
        format!(
            "the state is {} minutes old and its full run {} hours",
            (now - oldest).num_minutes(),
            (now - oldest_full).num_hours()
        )
    } else {
        format!(
            "reconciliation: the last full run is {} hours old (every {} hours)",
            (now - oldest_full).num_hours(),
            policy.reconcile_every.num_hours()
        )
    };
    match gather(scope, group, names, previous, since, apply, reason).await {
        Ok(incremental) => Plan::Incremental(Box::new(incremental)),
        Err(e) => Plan::Full {
            reason: format!(
                "the changes since the last run could not be read ({e}); never guessing, this run is full"
            ),
        },
    }
}

/// Reads what an incremental run needs before it lists: the System Log's window, the changed
/// records of mirrored resources, and the previous records of roots listed in full.
async fn gather(
    scope: &Scope<'_>,
    group: &Group,
    names: &[&'static str],
    previous: HashMap<&'static str, Current>,
    since: DateTime<Utc>,
    apply: bool,
    reason: String,
) -> Result<Incremental, String> {
    let requests = RequestCounters::default();
    let mut named = read_log(scope, since, &requests)
        .await
        .map_err(|e| e.to_string())?;
    let mut members = HashMap::new();
    let mut mirrored = HashMap::new();
    let mut previous_roots = HashMap::new();
    for resource in group.resources.iter().filter(|r| names.contains(&r.name)) {
        if let Some(source) = resource.mirrors.and_then(resources::find) {
            let listing = changed_listing(source, since).ok_or_else(|| {
                format!(
                    "{} mirrors {}, which has no change filter",
                    resource.name, source.name
                )
            })?;
            let mut fresh = HashMap::new();
            let url =
                scope
                    .client
                    .org()
                    .join(&source.first_url(source.path, &listing, source.limit));
            let mut pages = pin!(
                scope
                    .client
                    .pages(url, source.scope, source.shape, &requests)
            );
            while let Some(page) = pages.next().await {
                for record in page.map_err(|e| e.to_string())?.records() {
                    let written =
                        scrub(scope.pii, &scrub(secrets_of(resource), record)).into_owned();
                    if let Some(id) = carry::id_of(record) {
                        fresh.insert(id, written);
                    }
                }
            }
            let added = added_members(scope, resource, source, &mut named, &fresh, since).await;
            members.insert(resource.name, added);
            mirrored.insert(resource.name, fresh);
        }
        if resource.parent.is_none()
            && resource.changed_since.is_none()
            && let Some(current) = previous.get(resource.name)
        {
            let hashes = carry::hashes(scope.store, resource, &current.parts)
                .await
                .map_err(|e| e.to_string())?;
            previous_roots.insert(resource.name, hashes);
        }
    }
    Ok(Incremental {
        apply,
        since,
        named,
        previous,
        mirrored,
        previous_roots,
        members,
        requests,
        reason,
    })
}

/// The records of the members that `child`'s events added, by id: the newer copy the mirrored
/// `source` listed (`fresh`), or else its record in `source`'s current state. That state must
/// be written under the same controls, and no older than `since` (so `fresh` holds every
/// change after it). A parent with an added member not found so is read again instead.
async fn added_members(
    scope: &Scope<'_>,
    child: &Resource,
    source: &Resource,
    named: &mut Named,
    fresh: &HashMap<String, String>,
    since: DateTime<Utc>,
) -> HashMap<String, String> {
    // (parent, member) pairs whose member's record must be found.
    let pairs: Vec<(String, String)> = named
        .members
        .get(child.name)
        .into_iter()
        .flatten()
        .flat_map(|(parent, members)| {
            members
                .iter()
                .filter(|(id, m)| m.added && !fresh.contains_key(*id))
                .map(move |(id, _)| (parent.clone(), id.clone()))
        })
        .collect();
    let wanted: std::collections::HashSet<String> =
        pairs.iter().map(|(_, id)| id.clone()).collect();
    let mut found = HashMap::new();
    if !wanted.is_empty() {
        let state = StateObject::new(
            scope.store,
            layout::state(source.name, scope.tenant, "current"),
        );
        let usable = match state.load::<Current>().await {
            Ok(Some((current, _))) => (current.started_at >= since
                && current.pii == scope.pii.map(PiiPolicy::fingerprint)
                && source.secrets == child.secrets)
                .then_some(current),
            _ => None,
        };
        if let Some(current) = usable {
            match carry::records_of(scope.store, source, &current.parts, wanted).await {
                Ok(records) => found = records,
                Err(e) => {
                    tracing::warn!(resource = child.name, error = %e, "members added by the log are read from Okta instead")
                }
            }
        }
    }
    for (parent, id) in pairs {
        if !found.contains_key(&id) {
            named.reread.entry(child.name).or_default().insert(parent);
        }
    }
    found
}

/// The events from `since` to now that name objects ([`events::TRIGGERS`]):
/// a bounded query, filtered by Okta to those event types.
async fn read_log(
    scope: &Scope<'_>,
    since: DateTime<Utc>,
    requests: &RequestCounters,
) -> Result<Named, OktaError> {
    let log = resources::find("system_log").expect("the System Log is declared");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("since", &since.to_rfc3339_opts(SecondsFormat::Millis, true))
        // Now, not the run's start (whole seconds): an event of the last second counts.
        .append_pair(
            "until",
            &Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        )
        .append_pair("filter", &events::filter())
        .append_pair("limit", &LOG_PAGE.to_string())
        .finish();
    let url = scope.client.org().join(&format!("{}?{query}", log.path));
    let mut named = Named::default();
    let mut pages = pin!(scope.client.pages(url, log.scope, Shape::Array, requests));
    while let Some(page) = pages.next().await {
        for event in page?.records() {
            named.offer(event);
        }
    }
    Ok(named)
}

/// Moves each complete resource's current state to this run's snapshot (after its manifest
/// is written: a crash before leaves the old state, and the next run reads from there).
pub async fn advance(scope: &Scope<'_>, plan: &Plan, manifests: &[Manifest]) {
    for manifest in manifests.iter().filter(|m| m.status == Status::Complete) {
        let Some(resource) = resources::find(&manifest.resource) else {
            continue;
        };
        let state = StateObject::new(
            scope.store,
            layout::state(resource.name, scope.tenant, "current"),
        );
        let previous = match plan {
            Plan::Incremental(i) if i.apply => i.previous.get(resource.name),
            _ => None,
        };
        let (full_run, full_started_at) = match previous {
            Some(p) => (p.full_run.clone(), p.full_started_at),
            None => (scope.run.clone(), manifest.started_at),
        };
        let current = Current {
            run_id: scope.run.clone(),
            started_at: scope.run.started(),
            parts: manifest.parts.iter().map(|p| p.key.clone()).collect(),
            excluded: manifest.excluded.clone(),
            full_run,
            full_started_at,
            pii: scope.pii.map(PiiPolicy::fingerprint),
        };
        let saved = match state.load::<Current>().await {
            Ok(Some((_, etag))) => state.save(&current, Some(&etag)).await,
            Ok(None) => state.save(&current, None).await,
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            tracing::warn!(resource = resource.name, error = %e, "the current state did not move; the next run reads from the one before");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn incremental(events: &[serde_json::Value]) -> Incremental {
        let mut named = Named::default();
        for e in events {
            named.offer(&e.to_string());
        }
        Incremental {
            apply: true,
            since: "2026-12-01T10:00:00Z".parse().unwrap(),
            named,
            previous: HashMap::new(),
            mirrored: HashMap::new(),
            previous_roots: HashMap::new(),
            members: HashMap::new(),
            requests: RequestCounters::default(),
            reason: String::new(),
        }
    }

    fn group(created: &str, moved: &str) -> String {
        json!({ "id": "00g1", "created": created, "lastMembershipUpdated": moved }).to_string()
    }

    /// A changed group's members are read again unless the log accounts for them: the group is
    /// not new, and its members did not move in the window or moved at an applied event.
    #[test]
    fn the_log_accounts_for_a_group_only_when_it_explains_its_members() {
        let members = resources::find("group_members").unwrap();
        let factors = resources::find("user_factors").unwrap();
        let old = "2026-01-01T00:00:00.000Z";
        let run = incremental(&[json!({
            "eventType": "group.user_membership.remove",
            "published": "2026-12-01T10:20:00.000Z",
            "outcome": { "result": "SUCCESS" },
            "target": [{ "id": "00u1", "type": "User" }, { "id": "00g1", "type": "UserGroup" }],
        })]);
        let accounts = |record: &str| run.accounts_for(members, "00g1", record);
        assert!(
            accounts(&group(old, "2026-11-30T00:00:00.000Z")),
            "only the group changed"
        );
        assert!(
            accounts(&group(old, "2026-12-01T10:20:00.400Z")),
            "moved by the event"
        );
        assert!(
            !accounts(&group(old, "2026-12-01T10:30:00.000Z")),
            "moved after it"
        );
        assert!(
            !accounts(&group(
                "2026-12-01T10:10:00.000Z",
                "2026-12-01T10:20:00.000Z"
            )),
            "new"
        );
        assert!(!accounts(r#"{"id":"00g1"}"#), "no timestamps: read");
        assert!(
            !run.accounts_for(factors, "00g1", &group(old, old)),
            "not a membership"
        );
    }
}
