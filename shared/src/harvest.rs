//! Reading a group's resources for one tenant: pages in, parts out, one manifest per resource.
//!
//! A parent resource streams its pages into its parts and, as each record passes, hands its id
//! to the child resources, which fetch their listings for it with bounded concurrency; a child
//! does the same for its own children (`{grandparent id}/{parent id}`). Nothing waits for a
//! whole listing and nothing holds one in memory; the channels between parent and children are
//! bounded, so a slow child slows the parent instead of piling up ids.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::pin::pin;
use std::sync::Arc;
use std::sync::Mutex as SyncMutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::Mutex;
use tracing::Instrument;
use url::Url;

use crate::continuation::{Pending, Position, Unfinished};
use crate::layout;
use crate::manifest::{Manifest, ParentFailure, Status};
use crate::okta::{OktaError, RequestCounters};
use crate::outcome::{Ended, Stop};
use crate::pii::{scrub, secrets_of};
use crate::progress::{self, resource_span};
use crate::refresh::carry::{self, Verdict};
use crate::refresh::{Incremental, RefreshNote};
use crate::resources::{self, Group, Resource};
use crate::scope::Scope;
use crate::seen::SeenIds;
use crate::sink::{ParentField, PartShape, Parts};

/// Parent ids buffered between a parent and one child before the parent waits.
const FAN_OUT_BUFFER: usize = 512;
/// Parents in a row that fail for a passing reason before a fan-out stops trying: an org that
/// answers everything with 5xx is down, and each further parent would cost its full retries.
const FAILURES_IN_A_ROW: u64 = 20;

/// The children a resource feeds with ids, each through its channel.
type Feeds = Vec<(&'static Resource, mpsc::Sender<String>)>;

/// How a resource ended, as its children inherit it.
struct Concluded {
    /// Stopped at a page boundary: a continuation reads on (and its children with it).
    carries_on: bool,
    /// A root in an incremental run: what changed, for its children's carry.
    touched: Option<Touched>,
    /// Ended short for another reason: the status and reason its children take on.
    problem: Option<(Status, String)>,
}

/// One tenant's harvest.
pub struct Harvest<'a> {
    pub scope: &'a Scope<'a>,
    /// Requests in flight at once for fan-out calls.
    pub max_in_flight: usize,
    /// An incremental run (or a reconciliation measuring one): what changed, and the state.
    pub refresh: Option<&'a Incremental>,
    /// A full run of a group that may run incrementally: why it is full, for its manifests.
    pub full: Option<RefreshNote>,
}

/// What an incremental run learnt from a root's listing, for its own carry and its children.
#[derive(Default, Clone)]
struct Touched {
    /// Ids of records read that are new or changed since the state.
    changed: HashSet<String>,
    /// A root listed in full: every id listed.
    alive: Option<HashSet<String>>,
    /// Child → changed ids whose listing there the System Log accounts for, so it is not read
    /// again ([`Incremental::accounts_for`]).
    accounted: HashMap<&'static str, HashSet<String>>,
}

impl Touched {
    /// Whether `child`'s listing of `id` was (or, in a reconciliation, would have been) read
    /// again for the change to the parent itself.
    fn reads(&self, child: &str, id: &str) -> bool {
        self.changed.contains(id) && !self.accounted.get(child).is_some_and(|a| a.contains(id))
    }
}

/// How a resource's listing went, before it becomes a manifest.
struct Listed {
    outcome: Result<(), Stop>,
    records: u64,
    tally: RequestCounters,
    notes: Vec<String>,
    /// Parents refused for good (children only).
    excluded: Vec<ParentFailure>,
    /// Parents that could not be read, and where each would carry on (children only).
    unread: Vec<(Pending, ParentFailure)>,
    /// The ids written so far, for a resource whose listings overlap.
    seen: Option<SeenIds>,
    /// Where it would carry on, when it stopped at a page boundary.
    rest: Rest,
    /// A root in an incremental run: what changed.
    touched: Option<Touched>,
}

/// What a fan-out has learnt so far, shared by the tasks reading its parents.
#[derive(Default)]
struct Fanned {
    /// A stop for the whole resource: the deadline, the credentials, a missing scope, the store.
    stop: Option<Stop>,
    /// Parents left for a continuation.
    left: Vec<Pending>,
    /// Parents that failed for a passing reason on their first try, for a second one.
    again: Vec<Pending>,
    /// Parents that failed for a passing reason twice, and where they would carry on.
    unread: Vec<(Pending, ParentFailure)>,
    excluded: Vec<ParentFailure>,
    /// The first 403 among the exclusions, in case every parent was refused.
    refusal: Option<OktaError>,
    /// Parents read whole.
    read: u64,
    /// Parents in a row that failed for a passing reason.
    in_a_row: u64,
}

/// Which try at a parent this is.
#[derive(Clone, Copy)]
enum Pass {
    First,
    Last,
}

/// What is left of a listing that stopped at a page boundary.
enum Rest {
    /// A root listing: the page it stopped before.
    At(Option<Position>),
    /// A child: the parents not yet (or not fully) read.
    Parents(Vec<Pending>),
}

/// Where a resource starts in this invocation: from scratch, or where an earlier one stopped.
#[derive(Clone)]
struct Start {
    written: bool,
    earlier: Option<Unfinished>,
}

impl Start {
    fn fresh(written: bool) -> Self {
        Self {
            written,
            earlier: None,
        }
    }
}

/// One pass through a resource's listings (at `path`, for a child one parent's), starting
/// `from` where an earlier invocation stopped. `at` always holds the page about to be read, so
/// after a stop at a page boundary it says where to carry on.
struct Walk<'a> {
    resource: &'a Resource,
    path: &'a str,
    /// The listings read: the resource's, or its change-filtered one in an incremental run.
    listings: Vec<String>,
    from: Option<&'a Position>,
    at: Option<Position>,
    /// Whether a page was read (so a refusal now comes after records were written).
    read_any: bool,
    /// Listings skipped as not on this org.
    notes: Vec<String>,
}

impl<'a> Walk<'a> {
    fn new(resource: &'a Resource, path: &'a str, from: Option<&'a Position>) -> Self {
        Self {
            resource,
            path,
            listings: resource.listings.iter().map(|l| l.to_string()).collect(),
            from,
            at: None,
            read_any: false,
            notes: Vec::new(),
        }
    }
}

/// What a harvest produced: a manifest per written resource, and what is left for a
/// continuation (empty when the group is finished or nothing can be carried on).
#[derive(Default)]
pub struct Harvested {
    pub manifests: Vec<Manifest>,
    pub unfinished: Vec<Unfinished>,
    /// For each resource an incremental run merged: the keys of records that may differ from
    /// its base run's (read again, dropped or replaced). Every other record was carried byte
    /// for byte, so the change feed compares only these.
    pub fresh: HashMap<&'static str, crate::changes::KeyFilter>,
}

impl Harvest<'_> {
    /// Runs the `selected` resources of `group` and returns their manifests, in table order.
    /// Parents of selected children are read for their ids even when not selected (or when
    /// they belong to another group, like the groups that `group_roles` asks about).
    pub async fn run(&self, group: &Group, selected: &[&str]) -> Harvested {
        let mut plan: Vec<(&'static Resource, Start)> = Vec::new();
        for resource in group
            .resources
            .iter()
            .filter(|r| selected.contains(&r.name))
        {
            // Ancestors first, read for their ids and written only if selected themselves.
            for ancestor in resource.lineage().into_iter().rev() {
                if !plan.iter().any(|(r, _)| r.name == ancestor.name) {
                    plan.push((ancestor, Start::fresh(selected.contains(&ancestor.name))));
                }
            }
        }
        self.run_plan(group, plan).await
    }

    /// Carries on a run that an earlier invocation left unfinished.
    pub async fn resume(&self, group: &Group, unfinished: Vec<Unfinished>) -> Harvested {
        let plan = unfinished
            .into_iter()
            .filter_map(|u| {
                let resource = resources::find(&u.resource)?;
                Some((
                    resource,
                    Start {
                        written: u.written,
                        earlier: Some(u),
                    },
                ))
            })
            .collect();
        self.run_plan(group, plan).await
    }

    async fn run_plan(&self, group: &Group, plan: Vec<(&'static Resource, Start)>) -> Harvested {
        let mut harvested = Harvested::default();
        // Trees run one after another, each under its root (which a continuation may not
        // list again: a finished root has no entry, and its children only their pending ids).
        let root_of = |r: &'static Resource| r.lineage().last().map_or(r.name, |root| root.name);
        let mut roots: Vec<&'static str> = Vec::new();
        for (resource, _) in &plan {
            let root = root_of(resource);
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
        for root_name in roots {
            let Some(root) = resources::find(root_name) else {
                continue;
            };
            let root_start = plan
                .iter()
                .find(|(r, _)| r.name == root_name)
                .map(|(_, s)| s.clone());
            let children: Vec<(&'static Resource, Start)> = plan
                .iter()
                .filter(|(c, _)| c.name != root_name && root_of(c) == root_name)
                .cloned()
                .collect();
            let tree = self.run_tree(root, root_start, &children).await;
            harvested.manifests.extend(tree.manifests);
            harvested.unfinished.extend(tree.unfinished);
            harvested.fresh.extend(tree.fresh);
        }
        harvested
            .manifests
            .sort_by_key(|m| group.resources.iter().position(|r| r.name == m.resource));
        harvested
    }

    /// One root and its descendants (in table order: parents before their children).
    /// `root_start` is `None` when the root finished earlier.
    async fn run_tree(
        &self,
        root: &'static Resource,
        root_start: Option<Start>,
        children: &[(&'static Resource, Start)],
    ) -> Harvested {
        let started = Utc::now();
        // Each child's ids come from its parent: the root, or a child before it. A child whose
        // parent finished in an earlier invocation gets none (its sender is dropped).
        let mut root_feeds: Feeds = Vec::new();
        let mut child_feeds: Vec<Feeds> = children.iter().map(|_| Vec::new()).collect();
        let mut receivers = Vec::new();
        for (child, _) in children {
            let (sender, receiver) = mpsc::channel::<String>(FAN_OUT_BUFFER);
            receivers.push(receiver);
            let parent = child
                .parent
                .as_ref()
                .expect("children have parents")
                .resource;
            if parent == root.name {
                root_feeds.push((child, sender));
            } else if let Some(at) = children.iter().position(|(c, _)| c.name == parent) {
                child_feeds[at].push((child, sender));
            }
        }
        let root_run = async {
            match &root_start {
                Some(start) => Some(self.list_root(root, start, root_feeds).await),
                // Dropping the senders tells children that no more ids come.
                None => None,
            }
        }
        .instrument(resource_span(root));
        let child_runs =
            futures::future::join_all(children.iter().zip(receivers).zip(child_feeds).map(
                |(((child, start), ids), feeds)| {
                    self.fan_out(child, start, ids, feeds)
                        .instrument(resource_span(child))
                },
            ));
        let (root_result, child_results) = futures::join!(root_run, child_runs);

        let mut tree = Harvested::default();
        // How each resource ended, for its children to inherit.
        let mut concluded: Vec<(&'static str, Concluded)> = Vec::new();
        if let (Some((listed, parts)), Some(start)) = (root_result, &root_start) {
            let ended = self
                .conclude(root, start, listed, parts, started, None, &mut tree)
                .await;
            concluded.push((root.name, ended));
        }
        for ((child, start), (mut listed, parts)) in children.iter().zip(child_results) {
            let parent = child
                .parent
                .as_ref()
                .expect("children have parents")
                .resource;
            let from_parent = concluded.iter().find(|(n, _)| *n == parent).map(|(_, c)| c);
            let ran_out_of_time = matches!(&listed.outcome, Err(stop) if stop.at_page_boundary());
            match from_parent {
                // A child of an incomplete parent is incomplete too, for the same reason. It
                // does not carry on even if time ran out: a continuation would finish the ids
                // it was given and call it complete, short of those its parent never listed.
                Some(Concluded {
                    problem: Some((status, reason)),
                    ..
                }) if listed.outcome.is_ok() || ran_out_of_time => {
                    listed.outcome = Err(Stop::Parent {
                        parent,
                        status: *status,
                        reason: reason.clone(),
                    });
                }
                // Its parent has ids still to list: it carries on with them (and with the
                // parents it could not read).
                Some(Concluded {
                    carries_on: true, ..
                }) if listed.outcome.is_ok() => {
                    listed.outcome = Err(Stop::Deadline);
                }
                _ => {}
            }
            let parent_touched = from_parent.and_then(|c| c.touched.clone());
            let ended = self
                .conclude(
                    child,
                    start,
                    listed,
                    parts,
                    started,
                    parent_touched.as_ref(),
                    &mut tree,
                )
                .await;
            concluded.push((child.name, ended));
        }
        tree
    }

    /// Lists a root resource, writing it if selected and feeding children the ids they want.
    async fn list_root(
        &self,
        resource: &'static Resource,
        start: &Start,
        mut children: Feeds,
    ) -> (Listed, Option<Parts<'_>>) {
        let tally = RequestCounters::default();
        let mut parts = start.written.then(|| self.part_series(resource, start));
        let mut records = 0u64;
        let mut seen = resource.overlapping_listings.then(|| {
            start
                .earlier
                .as_ref()
                .map(|e| e.seen.clone())
                .unwrap_or_default()
        });
        let mut repeated = 0u64;
        let mut walk = Walk::new(
            resource,
            resource.path,
            start.earlier.as_ref().and_then(|e| e.from.as_ref()),
        );
        // An incremental run lists what changed (where Okta can filter by change) and reads
        // children only for what changed; a reconciliation lists everything but notes what
        // an incremental run would have read.
        let refresh = self.refresh.filter(|_| start.earlier.is_none());
        if let Some(listings) = refresh.and_then(|r| r.listings(resource)) {
            walk.listings = listings;
        }
        let apply = refresh.is_some_and(|r| r.apply);
        let mut touched = refresh.map(|_| Touched {
            alive: resource.changed_since.is_none().then(HashSet::new),
            ..Touched::default()
        });
        let previous = refresh.and_then(|r| r.previous_roots.get(resource.name));
        let outcome = self
            .for_each_record(&mut walk, &tally, async |record, label| {
                let mut id = None;
                if let Some(seen) = seen.as_mut()
                    && !seen.insert(id.insert(record_id(record)?))
                {
                    repeated += 1;
                    return Ok(());
                }
                let mut changed = true;
                if let (Some(touched), Some(refresh)) = (touched.as_mut(), refresh) {
                    let own = match &id {
                        Some(id) => String::clone(id),
                        None => record_id(record)?,
                    };
                    changed = match &resource.changed_since {
                        Some(_) if apply => true,
                        Some(filter) => filter.lists(record, refresh.since),
                        None => previous
                            .and_then(|p| p.get(&own))
                            .is_none_or(|h| *h != carry::hash(record)),
                    };
                    if let Some(alive) = touched.alive.as_mut() {
                        alive.insert(own.clone());
                    }
                    if changed {
                        touched.changed.insert(own);
                    }
                }
                if let Some(parts) = parts.as_mut() {
                    parts
                        .write(
                            &scrub(self.scope.pii, &scrub(secrets_of(resource), record)),
                            label,
                        )
                        .await?;
                }
                records += 1;
                if apply && !changed {
                    return Ok(());
                }
                for (child, ids) in &mut children {
                    let parent = child.parent.as_ref().expect("children have parents");
                    if parent.select.accepts(record) {
                        let id = match (&id, parent.key) {
                            (Some(id), "/id") => String::clone(id),
                            _ => parent.id_of(record).ok_or_else(|| {
                                Stop::Okta(OktaError::Malformed(format!(
                                    "a {} record without {:?}, which {} needs",
                                    resource.name, parent.key, child.name
                                )))
                            })?,
                        };
                        // The log accounts for it: an incremental run applies its events
                        // instead, and a reconciliation notes that one would have.
                        if let (Some(touched), Some(refresh)) = (touched.as_mut(), refresh)
                            && changed
                            && refresh.accounts_for(child, &id, record)
                        {
                            touched
                                .accounted
                                .entry(child.name)
                                .or_default()
                                .insert(id.clone());
                            if apply {
                                continue;
                            }
                        }
                        // A child that stopped has dropped its receiver; the rest still want ids.
                        let _ = ids.send(id).await;
                    }
                }
                Ok(())
            })
            .await;
        // The parents the System Log names, read again whether or not they changed
        // themselves (none of a root listed in full that is gone).
        if let (Some(refresh), Some(touched), Ok(())) =
            (refresh.filter(|_| apply), &touched, &outcome)
        {
            for (child, ids) in &mut children {
                for id in refresh.named.reread_of(child.name) {
                    let gone = touched.alive.as_ref().is_some_and(|a| !a.contains(id));
                    if !touched.reads(child.name, id) && !gone {
                        let _ = ids.send(id.clone()).await;
                    }
                }
            }
        }
        drop(children);
        let mut notes = walk.notes;
        if repeated > 0 {
            notes.push(format!(
                "{repeated} {} listed twice (changed while the listings were read) and written once",
                resource.name
            ));
        }
        let listed = Listed {
            outcome,
            records,
            tally,
            notes,
            excluded: Vec::new(),
            unread: Vec::new(),
            seen,
            rest: Rest::At(walk.at),
            touched,
        };
        (listed, parts)
    }

    /// Lists a child resource once per parent id, `max_in_flight` parents at a time: first
    /// the parents an earlier invocation left, then those its parent lists now. Its records
    /// feed its own children (`children`) their ids.
    async fn fan_out(
        &self,
        resource: &'static Resource,
        start: &Start,
        ids: mpsc::Receiver<String>,
        children: Feeds,
    ) -> (Listed, Option<Parts<'_>>) {
        let tally = RequestCounters::default();
        let parts = Mutex::new(self.part_series(resource, start));
        let fanned = SyncMutex::new(Fanned::default());
        let records = AtomicU64::new(0);
        let earlier = start
            .earlier
            .as_ref()
            .map(|e| e.pending.clone())
            .unwrap_or_default();
        let parents =
            futures::stream::iter(earlier).chain(ids.map(|id| Pending { id, from: None }));
        let read = |pending, pass| {
            let sink = Sink {
                parts: &parts,
                records: &records,
                children: &children,
            };
            self.read_parent(resource, pending, pass, sink, &fanned, &tally)
        };
        parents
            .for_each_concurrent(self.max_in_flight, |pending| read(pending, Pass::First))
            .await;
        // A second try for the parents that failed for a passing reason: a 5xx burst or a
        // rate-limit give-up is often over once the other parents have been read.
        let again = std::mem::take(&mut fanned.lock().expect("fan-out lock").again);
        futures::stream::iter(again)
            .for_each_concurrent(self.max_in_flight, |pending| read(pending, Pass::Last))
            .await;
        // Its children get no more ids.
        drop(children);

        let Fanned {
            stop,
            left,
            excluded,
            unread,
            read: parents_read,
            refusal,
            ..
        } = fanned.into_inner().expect("fan-out lock");
        let outcome = match stop {
            Some(stop) => Err(stop),
            // Every parent refused with 403 and none read: the role cannot read this resource
            // at all, which is a skip with the role's reason, not a complete snapshot.
            None => match refusal {
                Some(refusal)
                    if parents_read == 0
                        && unread.is_empty()
                        && start.earlier.is_none()
                        && excluded.iter().all(|e| e.status == Some(403)) =>
                {
                    Err(Stop::Okta(refusal))
                }
                _ => Ok(()),
            },
        };
        let listed = Listed {
            outcome,
            records: records.into_inner(),
            tally,
            notes: Vec::new(),
            excluded,
            unread,
            seen: None,
            rest: Rest::Parents(left),
            touched: None,
        };
        (listed, Some(parts.into_inner()))
    }

    /// Reads one parent's child listing and files the outcome: read, left for a continuation,
    /// refused for good (excluded), failed for a passing reason (tried again, then unread), or
    /// a stop for the whole resource.
    async fn read_parent(
        &self,
        resource: &'static Resource,
        pending: Pending,
        pass: Pass,
        sink: Sink<'_, '_>,
        fanned: &SyncMutex<Fanned>,
        tally: &RequestCounters,
    ) {
        let parent = resource
            .parent
            .as_ref()
            .expect("fan-out is for child resources");
        // After a stop, the remaining parents are only collected: left for a continuation if
        // the stop allows one, otherwise dropped without requests.
        {
            let mut fanned = fanned.lock().expect("fan-out lock");
            if let Some(stop) = &fanned.stop {
                if stop.at_page_boundary() {
                    fanned.left.push(pending);
                }
                return;
            }
        }
        let path = resource.path_for(&pending.id);
        // A child of a child has `{grandparent id}/{parent id}`: each id in its own field.
        let (grandparent, id) = match pending.id.split_once('/') {
            Some((outer, inner)) if resource.path.contains("{parent_id}") => {
                let middle = resources::find(parent.resource).expect("parents are declared");
                let field = middle
                    .parent
                    .as_ref()
                    .expect("a path with {parent_id} is a child of a child")
                    .field;
                (Some((field, outer)), inner)
            }
            _ => (None, pending.id.as_str()),
        };
        let field = ParentField {
            name: parent.field,
            id,
        };
        let mut children: Feeds = sink
            .children
            .iter()
            .map(|(child, ids)| (*child, ids.clone()))
            .collect();
        let mut walk = Walk::new(resource, &path, pending.from.as_ref());
        let listed = self
            .for_each_record(&mut walk, tally, async |record, _| {
                let cleaned = scrub(secrets_of(resource), record);
                let mut line = scrub(self.scope.pii, &cleaned);
                if let Some((name, value)) = grandparent {
                    line = Cow::Owned(with_field(&line, name, value));
                }
                sink.parts.lock().await.write(&line, Some(field)).await?;
                sink.records.fetch_add(1, Ordering::Relaxed);
                for (child, ids) in &mut children {
                    let link = child.parent.as_ref().expect("children have parents");
                    if link.select.accepts(record) {
                        let key = link.id_of(record).ok_or_else(|| {
                            Stop::Okta(OktaError::Malformed(format!(
                                "a {} record without {:?}, which {} needs",
                                resource.name, link.key, child.name
                            )))
                        })?;
                        // A send fails only once the child has ended and wants no more ids.
                        let _ = ids.send(format!("{}/{key}", pending.id)).await;
                    }
                }
                Ok(())
            })
            .await;
        drop(children);
        let mut fanned = fanned.lock().expect("fan-out lock");
        let here = Pending {
            id: pending.id,
            from: walk.at,
        };
        match listed {
            Ok(()) => {
                fanned.read += 1;
                fanned.in_a_row = 0;
            }
            Err(stop) if stop.at_page_boundary() => {
                fanned.left.push(here);
                fanned.stop.get_or_insert(stop);
            }
            // Refused before any of its records was written: this object is not served to us.
            Err(Stop::Okta(e)) if e.refuses_the_object() && !walk.read_any => {
                tracing::warn!(resource = resource.name, parent = %here.id, error = %e, "parent excluded");
                fanned.excluded.push(ParentFailure::new(&here.id, &e));
                if matches!(e, OktaError::PermissionDenied { .. }) {
                    fanned.refusal.get_or_insert(e);
                }
            }
            Err(Stop::Okta(e)) if passing(&e) => {
                tracing::warn!(resource = resource.name, parent = %here.id, error = %e, "parent not read");
                fanned.in_a_row += 1;
                let failure = ParentFailure::new(&here.id, &e);
                match pass {
                    Pass::First => fanned.again.push(here),
                    Pass::Last => fanned.unread.push((here, failure)),
                }
                if fanned.in_a_row >= FAILURES_IN_A_ROW && fanned.stop.is_none() {
                    fanned.stop = Some(Stop::Okta(e));
                }
            }
            // The credentials, a missing scope, a feature that is off, the store: no other
            // parent would fare better.
            Err(stop) => {
                if fanned.stop.as_ref().is_none_or(Stop::at_page_boundary) {
                    fanned.stop = Some(stop);
                }
            }
        }
    }

    /// Streams every record of every listing of `walk`'s resource through `each`, with the
    /// label field to add, if the resource has one. An optional listing that Okta refuses is
    /// noted and skipped; if every listing is refused, the last refusal is the outcome.
    async fn for_each_record(
        &self,
        walk: &mut Walk<'_>,
        tally: &RequestCounters,
        mut each: impl AsyncFnMut(&str, Option<ParentField<'_>>) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        let (resource, from) = (walk.resource, walk.from);
        let mut listed_any = from.is_some_and(|f| f.listed_earlier);
        let mut refusal = None;
        let first_listing = from.map_or(0, |f| f.listing);
        let listings = walk.listings.clone();
        for (index, listing) in listings.iter().enumerate().skip(first_listing) {
            let label = resource.label.map(|name| ParentField {
                name,
                id: listing.trim_start_matches('/'),
            });
            let mut seen = false;
            let listed: Result<(), Stop> = async {
                let url = match from.filter(|f| f.listing == index) {
                    Some(f) => {
                        let url = Url::parse(&f.next).map_err(|e| {
                            OktaError::Malformed(format!("a continuation's page URL: {e}"))
                        })?;
                        self.scope.client.same_origin(url)?
                    }
                    None => self.scope.client.org().join(&resource.first_url(
                        walk.path,
                        listing,
                        resource.limit,
                    )),
                };
                walk.at = Some(Position {
                    listing: index,
                    next: url.to_string(),
                    listed_earlier: listed_any,
                });
                let mut pages = pin!(self.scope.client.pages(
                    url,
                    resource.scope,
                    resource.shape,
                    tally
                ));
                loop {
                    if self.scope.time.stop_at.is_some_and(|t| Instant::now() >= t) {
                        return Err(Stop::Deadline);
                    }
                    let Some(page) = pages.next().await else {
                        return Ok(());
                    };
                    let page = page?;
                    seen = true;
                    walk.read_any = true;
                    let records = page.records();
                    progress::page(records.len());
                    for record in records {
                        each(record, label).await?;
                    }
                    // The last page ends the listing, whatever the clock says.
                    let Some(next) = &page.next else {
                        return Ok(());
                    };
                    walk.at = Some(Position {
                        listing: index,
                        next: next.to_string(),
                        listed_earlier: listed_any,
                    });
                }
            }
            .await;
            match listed {
                Ok(()) => listed_any = true,
                Err(Stop::Okta(e))
                    if resource.optional_listings && !seen && not_on_this_org(&e) =>
                {
                    walk.notes
                        .push(format!("{}{listing}: not on this org ({e})", resource.name));
                    refusal = Some(Stop::Okta(e));
                }
                Err(stop) => return Err(stop),
            }
        }
        match refusal {
            Some(stop) if !listed_any => Err(stop),
            _ => Ok(()),
        }
    }

    fn part_series(&self, resource: &'static Resource, start: &Start) -> Parts<'_> {
        let (tenant, run) = (self.scope.tenant, self.scope.run);
        let earlier = start.earlier.as_ref().map_or(&[][..], |e| &e.parts[..]);
        Parts::after(
            self.scope.store,
            self.scope.formats,
            PartShape::of(resource),
            move |n, extension| layout::snapshot_part(resource.name, tenant, run, n, extension),
            earlier,
        )
    }

    /// Closes the parts and, for a written resource, writes the manifest, which says how
    /// complete they are; a resource stopped at a page boundary also goes on `tree`'s list of
    /// what a continuation carries on. In an incremental run the previous state's records
    /// that nothing superseded are written first; a reconciliation measures the drift. Returns
    /// how it ended, for its children (`parent_touched`: what its parent's listing changed).
    #[allow(clippy::too_many_arguments)]
    async fn conclude(
        &self,
        resource: &'static Resource,
        start: &Start,
        listed: Listed,
        mut parts: Option<Parts<'_>>,
        started: chrono::DateTime<Utc>,
        parent_touched: Option<&Touched>,
        tree: &mut Harvested,
    ) -> Concluded {
        let Listed {
            mut outcome,
            records,
            tally,
            mut notes,
            mut excluded,
            unread,
            seen,
            mut rest,
            touched,
        } = listed;
        let refresh = self
            .refresh
            .filter(|_| start.earlier.is_none() && start.written);
        let mut verdict =
            refresh.and_then(|r| verdict(r, resource, touched.as_ref(), parent_touched));
        let mut note = match refresh {
            Some(r) => Some(RefreshNote {
                read: records,
                events: r.named.events,
                ..r.note(resource.name)
            }),
            None => self
                .full
                .clone()
                .filter(|_| start.written)
                .map(|n| RefreshNote { read: records, ..n }),
        };
        let mut merged = false;
        if let Some(refresh) = refresh.filter(|r| r.apply) {
            // Its changes are read again from the same state by the next run.
            if outcome.as_ref().is_err_and(Stop::at_page_boundary) {
                outcome = Err(Stop::IncrementalCut);
            }
            if let (Ok(()), Some(parts), Some(verdict), Some(previous)) = (
                &outcome,
                parts.as_mut(),
                &verdict,
                refresh.previous.get(resource.name),
            ) {
                match carry::carry(self.scope.store, &previous.parts, verdict, parts).await {
                    Ok(carried) => {
                        merged = true;
                        let note = note.as_mut().expect("noted when refreshing");
                        note.carried = carried.kept;
                        note.dropped = carried.dropped;
                        note.applied = carried.applied;
                        excluded.extend(
                            previous
                                .excluded
                                .iter()
                                .filter(|e| verdict.fate(Some(&e.id), "") == carry::Fate::Keep)
                                .cloned(),
                        );
                    }
                    Err(e) => outcome = Err(Stop::Store(e)),
                }
            }
            if merged
                && outcome.is_ok()
                && let Some(verdict) = verdict.take()
            {
                tree.fresh
                    .insert(resource.name, Arc::new(move |key| !verdict.keeps_key(key)));
            }
        }
        // Whatever was fetched is written and listed, even when the listing stopped early;
        // only a failing store leaves the open part behind.
        let parts = match parts {
            Some(parts) if !matches!(outcome, Err(Stop::Store(_))) => {
                parts.finish().await.unwrap_or_else(|e| {
                    outcome = Err(Stop::Store(e));
                    Vec::new()
                })
            }
            Some(parts) => parts.abandon().await,
            None => Vec::new(),
        };
        let carries_on = outcome.as_ref().is_err_and(Stop::at_page_boundary);
        // Parents not read: a continuation reads them again; otherwise the manifest lists
        // them and the resource is partial.
        let unread = if carries_on {
            if let Rest::Parents(left) = &mut rest {
                left.extend(unread.into_iter().map(|(pending, _)| pending));
            }
            Vec::new()
        } else {
            let unread: Vec<ParentFailure> = unread.into_iter().map(|(_, f)| f).collect();
            if outcome.is_ok() && !unread.is_empty() {
                outcome = Err(Stop::Unread {
                    count: unread.len(),
                    example: unread[0].reason.clone(),
                });
            }
            unread
        };
        let problem = match &outcome {
            Err(stop) if !stop.at_page_boundary() => Some((stop.status(records), stop.to_string())),
            _ => None,
        };
        let earlier = start.earlier.as_ref();
        if let Some(earlier) = earlier {
            let mut all = earlier.notes.clone();
            all.extend(notes);
            notes = all;
            excluded.splice(0..0, earlier.excluded.iter().cloned());
        }
        // A reconciliation: what an incremental run would have carried, against Okta now.
        if let (Some(refresh), Some(verdict), Ok(())) =
            (refresh.filter(|r| !r.apply), verdict, &outcome)
            && let Some(previous) = refresh.previous.get(resource.name)
        {
            let now: Vec<String> = parts.iter().map(|p| p.key.clone()).collect();
            let scratch = std::env::temp_dir().join(format!(
                "okta-ingest-drift-{}-{}-{:08x}",
                self.scope.tenant,
                resource.name,
                fastrand::u32(..)
            ));
            let keep: crate::changes::KeyFilter = {
                let verdict = Arc::new(verdict);
                Arc::new(move |key: &str| verdict.keeps_key(key))
            };
            let measured = crate::changes::differences_where(
                self.scope.store,
                resource,
                &previous.parts,
                &now,
                &scratch,
                Some(keep),
            )
            .await;
            match measured {
                Ok(found) => {
                    let examples = found.keys(5).unwrap_or_default();
                    if found.count > 0 {
                        tracing::warn!(resource = resource.name, drift = found.count, examples = ?examples, "reconciliation: the incremental state had drifted");
                    } else {
                        tracing::info!(
                            resource = resource.name,
                            drift = 0,
                            "reconciliation: no drift"
                        );
                    }
                    let note = note.as_mut().expect("noted when refreshing");
                    note.drift = Some(found.count as u64);
                    note.drift_examples = examples;
                }
                Err(e) => notes.push(format!("reconciliation: drift not measured ({e})")),
            }
            let _ = tokio::fs::remove_dir_all(&scratch).await;
        }
        let manifest = Ended {
            resource: resource.name,
            outcome,
            parts,
            tally: &tally,
            earlier_requests: earlier.map(|e| e.requests).unwrap_or_default(),
            replace: earlier.is_some() && start.written,
            started: earlier.map_or(started, |e| e.started_at),
            notes,
            excluded,
            unread,
            lag_seconds: None,
            refresh: note,
        };
        let manifest = if start.written {
            manifest
                .record(self.scope.store, self.scope.tenant, self.scope.run)
                .await
        } else {
            manifest.summarise()
        };
        if carries_on {
            let mut unfinished = Unfinished::after(&manifest, start.written);
            match rest {
                Rest::At(at) => unfinished.from = at,
                Rest::Parents(pending) => unfinished.pending = pending,
            }
            unfinished.seen = seen.unwrap_or_default();
            tree.unfinished.push(unfinished);
        }
        if start.written {
            tree.manifests.push(manifest);
        }
        Concluded {
            carries_on,
            problem,
            touched,
        }
    }
}

/// What becomes of `resource`'s previous records in an incremental run: a root with a change
/// filter keeps those it did not read again, a child those of parents not read again (none
/// for a root listed in full, which is read whole).
fn verdict(
    refresh: &Incremental,
    resource: &'static Resource,
    own: Option<&Touched>,
    parent: Option<&Touched>,
) -> Option<Verdict> {
    let (read_again, alive) = match (&resource.parent, &resource.changed_since) {
        (None, Some(_)) => (own?.changed.clone(), None),
        (None, None) => return None,
        (Some(_), _) => {
            let parent = parent?;
            let mut read_again: HashSet<String> = parent
                .changed
                .iter()
                .filter(|id| parent.reads(resource.name, id))
                .cloned()
                .collect();
            read_again.extend(refresh.named.reread_of(resource.name).cloned());
            (read_again, parent.alive.clone())
        }
    };
    Some(Verdict {
        resource,
        named: refresh.named.clone(),
        read_again,
        alive,
        mirrored: refresh
            .mirrored
            .get(resource.name)
            .cloned()
            .unwrap_or_default(),
        added: refresh
            .members
            .get(resource.name)
            .cloned()
            .unwrap_or_default(),
    })
}

/// Where a child's records go: its parts, its count, and its own children's id channels.
#[derive(Clone, Copy)]
struct Sink<'s, 'p> {
    parts: &'s Mutex<Parts<'p>>,
    records: &'s AtomicU64,
    children: &'s Feeds,
}

/// `raw` (a JSON object) with `name` set to `value` as its first field, the rest untouched.
fn with_field(raw: &str, name: &str, value: &str) -> String {
    let Some(body) = raw.trim().strip_prefix('{') else {
        return raw.to_owned();
    };
    let body = body.trim_start();
    let field = format!(
        "{}:{}",
        serde_json::Value::from(name),
        serde_json::Value::from(value)
    );
    if body.starts_with('}') {
        format!("{{{field}}}")
    } else {
        format!("{{{field},{body}")
    }
}

/// Errors that may well pass: 5xx and timeouts after retries, a rate-limit give-up, a broken
/// or looping answer, or an object that changed while it was read.
fn passing(e: &OktaError) -> bool {
    !e.is_tenant_wide()
        && !matches!(
            e,
            OktaError::MissingScope { .. }
                | OktaError::NotAvailable { .. }
                | OktaError::Deadline { .. }
        )
}

/// Errors that mean an optional listing does not exist here (a policy type of another engine,
/// a feature that is off), as opposed to a failure.
fn not_on_this_org(e: &OktaError) -> bool {
    e.is_skip() || matches!(e, OktaError::Api { status: 400, .. })
}

fn record_id(record: &str) -> Result<String, Stop> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    serde_json::from_str::<Id>(record)
        .map(|r| r.id.into_owned())
        .map_err(|_| Stop::Okta(OktaError::Malformed("a record without an \"id\"".into())))
}

#[cfg(test)]
mod tests {
    use super::with_field;

    #[test]
    fn a_field_goes_in_front_and_the_rest_is_untouched() {
        assert_eq!(
            with_field(r#"{"id":"0pr1","x":1.50}"#, "authServerId", "aus1"),
            r#"{"authServerId":"aus1","id":"0pr1","x":1.50}"#
        );
        assert_eq!(with_field(" { } ", "a", "b\"c"), r#"{"a":"b\"c"}"#);
        assert_eq!(with_field("[1]", "a", "b"), "[1]");
    }
}
