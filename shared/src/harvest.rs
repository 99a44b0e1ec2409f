//! Reading a group's resources for one tenant: pages in, parts out, one manifest per resource.
//!
//! A parent resource streams its pages into its parts and, as each record passes, hands its id
//! to the child resources, which fetch their listings for it with bounded concurrency. Nothing
//! waits for a whole listing and nothing holds one in memory; the channels between parent and
//! children are bounded, so a slow child slows the parent instead of piling up ids.

use std::borrow::Cow;
use std::pin::pin;
use std::sync::Mutex as SyncMutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::layout::{self, RunId};
use crate::manifest::Manifest;
use crate::okta::{OktaClient, OktaError, RequestCounters};
use crate::outcome::{Ended, Stop};
use crate::pii::{PiiPolicy, scrub};
use crate::progress::{self, resource_span};
use crate::resources::{self, Group, Resource};
use crate::sink::{ParentField, PartSeries};
use crate::store::ObjectStore;
use crate::tenant::TenantId;

/// Parent ids buffered between a parent and one child before the parent waits.
const FAN_OUT_BUFFER: usize = 512;

/// One tenant's harvest context.
pub struct Harvest<'a> {
    pub client: &'a OktaClient,
    pub store: &'a ObjectStore,
    pub tenant: &'a TenantId,
    pub run: &'a RunId,
    /// Requests in flight at once for fan-out calls.
    pub max_in_flight: usize,
    /// No new page or fan-out call is started after this instant.
    pub stop_at: Option<Instant>,
    /// The tenant's personal data controls, applied to every record before it is written.
    pub pii: Option<&'a PiiPolicy>,
}

/// How a resource's listing went, before it becomes a manifest.
struct Listed {
    outcome: Result<(), Stop>,
    records: u64,
    tally: RequestCounters,
    notes: Vec<String>,
}

impl Harvest<'_> {
    /// Runs the `selected` resources of `group` and returns their manifests, in table order.
    /// Parents of selected children are read for their ids even when not selected (or when
    /// they belong to another group, like the groups that `group_roles` asks about).
    pub async fn run(&self, group: &Group, selected: &[&str]) -> Vec<Manifest> {
        let mut needed: Vec<&'static Resource> = Vec::new();
        for resource in group
            .resources
            .iter()
            .filter(|r| selected.contains(&r.name))
        {
            if let Some(parent) = resource
                .parent
                .as_ref()
                .and_then(|p| resources::find(p.resource))
                && !needed.iter().any(|r| r.name == parent.name)
            {
                needed.push(parent);
            }
            needed.push(resource);
        }
        let mut manifests = Vec::new();
        // Table order puts a group's own parents before their children, so none repeats here.
        for root in needed.iter().filter(|r| r.parent.is_none()) {
            let children: Vec<&'static Resource> = needed
                .iter()
                .copied()
                .filter(|c| c.parent.as_ref().is_some_and(|p| p.resource == root.name))
                .collect();
            manifests.extend(self.run_tree(root, &children, selected).await);
        }
        manifests.sort_by_key(|m| group.resources.iter().position(|r| r.name == m.resource));
        manifests
    }

    async fn run_tree(
        &self,
        root: &'static Resource,
        children: &[&'static Resource],
        selected: &[&str],
    ) -> Vec<Manifest> {
        let started = Utc::now();
        let (senders, receivers): (Vec<_>, Vec<_>) = children
            .iter()
            .map(|_| mpsc::channel::<String>(FAN_OUT_BUFFER))
            .unzip();
        let write_root = selected.contains(&root.name);
        let root_run = self
            .list_root(
                root,
                write_root,
                children.iter().copied().zip(senders).collect(),
            )
            .instrument(resource_span(root));
        let child_runs = futures::future::join_all(
            children
                .iter()
                .zip(receivers)
                .map(|(child, ids)| self.fan_out(child, ids).instrument(resource_span(child))),
        );
        let ((root_listed, root_parts), child_results) = futures::join!(root_run, child_runs);

        let mut manifests = Vec::new();
        let parent_problem = match &root_listed.outcome {
            Ok(()) => None,
            Err(stop) => Some((stop.status(root_listed.records), stop.to_string())),
        };
        if write_root {
            manifests.push(self.conclude(root, root_listed, root_parts, started).await);
        }
        for (child, (mut listed, parts)) in children.iter().zip(child_results) {
            // A child of an incomplete parent is incomplete too, for the same reason.
            if let (Ok(()), Some((status, reason))) = (&listed.outcome, &parent_problem) {
                listed.outcome = Err(Stop::Parent {
                    parent: root.name,
                    status: *status,
                    reason: reason.clone(),
                });
            }
            manifests.push(self.conclude(child, listed, parts, started).await);
        }
        manifests
    }

    /// Lists a root resource, writing it if selected and feeding children the ids they want.
    async fn list_root(
        &self,
        resource: &'static Resource,
        write: bool,
        mut children: Vec<(&'static Resource, mpsc::Sender<String>)>,
    ) -> (Listed, Option<PartSeries<'_>>) {
        let tally = RequestCounters::default();
        let mut parts = write.then(|| self.part_series(resource));
        let mut records = 0u64;
        let mut notes = Vec::new();
        let outcome = self
            .for_each_record(
                resource,
                resource.path,
                &tally,
                &mut notes,
                async |record, label| {
                    if let Some(parts) = parts.as_mut() {
                        parts.write(&scrub(self.pii, record.get()), label).await?;
                    }
                    records += 1;
                    let mut id = None;
                    for (child, ids) in &mut children {
                        let select = child.parent.as_ref().expect("children have parents").select;
                        if select.accepts(record) {
                            let id = match &id {
                                Some(id) => String::clone(id),
                                None => id.insert(record_id(record)?).clone(),
                            };
                            // A child that stopped has dropped its receiver; the rest still want ids.
                            let _ = ids.send(id).await;
                        }
                    }
                    Ok(())
                },
            )
            .await;
        drop(children);
        let listed = Listed {
            outcome,
            records,
            tally,
            notes,
        };
        (listed, parts)
    }

    /// Lists a child resource once per parent id, `max_in_flight` parents at a time.
    async fn fan_out(
        &self,
        resource: &'static Resource,
        ids: mpsc::Receiver<String>,
    ) -> (Listed, Option<PartSeries<'_>>) {
        let parent = resource
            .parent
            .as_ref()
            .expect("fan-out is for child resources");
        let tally = RequestCounters::default();
        let parts = Mutex::new(self.part_series(resource));
        let failure: SyncMutex<Option<Stop>> = SyncMutex::new(None);
        let records = AtomicU64::new(0);
        let vanished = AtomicU64::new(0);
        ids.for_each_concurrent(self.max_in_flight, |id| {
            let (parts, failure, records, vanished, tally) =
                (&parts, &failure, &records, &vanished, &tally);
            async move {
                if failure.lock().expect("failure lock").is_some() {
                    return; // Drain the remaining ids without requests.
                }
                let path = resource.path.replace("{id}", &id);
                let field = ParentField {
                    name: parent.field,
                    id: &id,
                };
                let listed = self
                    .for_each_record(
                        resource,
                        &path,
                        tally,
                        &mut Vec::new(),
                        async |record, _| {
                            let line = scrub(self.pii, record.get());
                            parts.lock().await.write(&line, Some(field)).await?;
                            records.fetch_add(1, Ordering::Relaxed);
                            Ok(())
                        },
                    )
                    .await;
                match listed {
                    Ok(()) => {}
                    // Deleted between the parent's listing and now: nothing to read.
                    Err(Stop::Okta(OktaError::NotFound { .. })) => {
                        vanished.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(stop) => {
                        failure.lock().expect("failure lock").get_or_insert(stop);
                    }
                }
            }
        })
        .await;
        let mut notes = Vec::new();
        let vanished = vanished.into_inner();
        if vanished > 0 {
            notes.push(format!(
                "{vanished} {} vanished between listing and fetch",
                parent.resource
            ));
        }
        let listed = Listed {
            outcome: failure
                .into_inner()
                .expect("failure lock")
                .map_or(Ok(()), Err),
            records: records.into_inner(),
            tally,
            notes,
        };
        (listed, Some(parts.into_inner()))
    }

    /// Streams every record of every listing of `resource` at `path` through `each`, with the
    /// label field to add, if the resource has one. An optional listing that Okta refuses is
    /// noted and skipped; if every listing is refused, the last refusal is the outcome.
    async fn for_each_record(
        &self,
        resource: &Resource,
        path: &str,
        tally: &RequestCounters,
        notes: &mut Vec<String>,
        mut each: impl AsyncFnMut(&RawValue, Option<ParentField<'_>>) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        let mut listed_any = false;
        let mut refusal = None;
        for listing in resource.listings {
            let label = resource.label.map(|name| ParentField {
                name,
                id: listing.trim_start_matches('/'),
            });
            let mut seen = false;
            let listed: Result<(), Stop> = async {
                let url =
                    self.client
                        .org()
                        .join(&resource.first_url(path, listing, resource.limit));
                let mut pages = pin!(
                    self.client
                        .pages(url, resource.scope, resource.shape, tally)
                );
                loop {
                    if self.stop_at.is_some_and(|at| Instant::now() >= at) {
                        return Err(Stop::Deadline);
                    }
                    let Some(page) = pages.next().await else {
                        return Ok(());
                    };
                    let page = page?;
                    seen = true;
                    let records = page.records(resource.shape)?;
                    progress::page(records.len());
                    for record in records {
                        each(record, label).await?;
                    }
                }
            }
            .await;
            match listed {
                Ok(()) => listed_any = true,
                Err(Stop::Okta(e))
                    if resource.optional_listings && !seen && not_on_this_org(&e) =>
                {
                    notes.push(format!("{}{listing}: not on this org ({e})", resource.name));
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

    fn part_series(&self, resource: &'static Resource) -> PartSeries<'_> {
        let (tenant, run) = (self.tenant, self.run);
        PartSeries::new(self.store, move |n| {
            layout::snapshot_part(resource.name, tenant, run, n)
        })
    }

    /// Closes the parts and writes the manifest, which says how complete they are.
    async fn conclude(
        &self,
        resource: &Resource,
        listed: Listed,
        parts: Option<PartSeries<'_>>,
        started: chrono::DateTime<Utc>,
    ) -> Manifest {
        let Listed {
            mut outcome,
            tally,
            notes,
            ..
        } = listed;
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
        Ended {
            resource: resource.name,
            outcome,
            parts,
            tally: &tally,
            started,
            notes,
            lag_seconds: None,
        }
        .record(self.store, self.tenant, self.run)
        .await
    }
}

/// Errors that mean an optional listing does not exist here (a policy type of another engine,
/// a feature that is off), as opposed to a failure.
fn not_on_this_org(e: &OktaError) -> bool {
    e.is_skip() || matches!(e, OktaError::Api { status: 400, .. })
}

fn record_id(record: &RawValue) -> Result<String, Stop> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    serde_json::from_str::<Id>(record.get())
        .map(|r| r.id.into_owned())
        .map_err(|_| Stop::Okta(OktaError::Malformed("a record without an \"id\"".into())))
}
