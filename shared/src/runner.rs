//! One run: for each target tenant, in isolation, its groups' resources (snapshots through the
//! harvest, the System Log through its own run), rolled up into a summary. The Lambda router,
//! the work queue's worker and the CLI all come through here.

use std::panic::AssertUnwindSafe;
use std::time::{Instant, SystemTime};

use chrono::Utc;
use futures::{FutureExt, StreamExt};
use tracing::Instrument;

use crate::budget::Budget;
use crate::changes;
use crate::continuation::Continuation;
use crate::error::Error;
use crate::harvest::Harvest;
use crate::invocation::Target;
use crate::layout::RunId;
use crate::manifest::Status;
use crate::okta::OktaClient;
use crate::refresh;
use crate::resources::{self, Group, Kind};
use crate::runtime::Runtime;
use crate::scope::Scope;
use crate::summary::{ChangesLine, ResourceSummary, RunSummary, TenantSummary};
use crate::system_log::{LogRun, Window};
use crate::tenant::TenantId;

/// Runs `plan` (groups, each with its selected resources) for the target tenants.
pub async fn run(
    rt: &Runtime,
    target: &Target,
    plan: &[(&'static Group, Vec<&'static str>)],
    window: &Window,
    deadline: Option<SystemTime>,
) -> Result<RunSummary, Error> {
    crate::heap::tune_for(plan.iter().map(|(group, _)| *group));
    let run = RunId::new(Utc::now());
    let started = Instant::now();
    let budget = Budget::new(&rt.options, deadline, started);
    let tenants = match target {
        Target::AllTenants => rt.tenants.list().await?,
        Target::Tenant(id) => vec![Ok(id.clone())],
    };
    tracing::info!(run_id = %run, tenants = tenants.len(), "run starting");
    let mut summaries: Vec<TenantSummary> = futures::stream::iter(tenants)
        .map(|tenant| async {
            let id = match tenant {
                Ok(id) => id,
                Err(e) => return TenantSummary::failed("(invalid)", &e),
            };
            let span = tracing::info_span!("tenant", tenant = %id, run_id = %run);
            AssertUnwindSafe(
                run_tenant(rt, &id, &run, plan, window, &budget, None).instrument(span),
            )
            .catch_unwind()
            .await
            .map(|tenant_run| tenant_run.summary)
            .unwrap_or_else(|panic| TenantSummary::failed(id.as_str(), &Error::panicked(panic)))
        })
        .buffer_unordered(rt.options.tenant_concurrency)
        .collect()
        .await;
    summaries.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    let summary = RunSummary::finished(&run, summaries);
    tracing::info!(run_id = %run, status = ?summary.status, seconds = started.elapsed().as_secs_f64(), "run finished");
    Ok(summary)
}

/// One tenant's run of `plan`, carrying on `resume` (an earlier invocation's unfinished
/// snapshot of the same run) if given.
pub(crate) async fn run_tenant(
    rt: &Runtime,
    id: &TenantId,
    run: &RunId,
    plan: &[(&'static Group, Vec<&'static str>)],
    window: &Window,
    budget: &Budget,
    resume: Option<&Continuation>,
) -> TenantRun {
    let config = match rt.tenants.load(id, rt.options.allow_http_loopback).await {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, "tenant configuration rejected");
            return TenantSummary::failed(id.as_str(), &e).into();
        }
    };
    let scopes: Vec<&'static str> = plan.iter().flat_map(|(g, _)| g.scopes()).collect();
    let time = budget.for_tenant();
    let client = OktaClient::new(
        rt.http.clone(),
        &config.org_url,
        &config.auth,
        config.settings.rate_limit_fraction,
        scopes,
        rt.options.retry.clone(),
        time.client_deadline,
    );
    let scope = Scope {
        client: &client,
        store: &rt.store,
        tenant: id,
        run,
        pii: config.pii.as_ref(),
        formats: rt.options.formats,
        time,
    };
    let mut resources = Vec::new();
    let mut changes = Vec::new();
    let mut unfinished = Vec::new();
    // The System Log first: the change feed attributes changes to the events it has landed.
    let ordered = plan
        .iter()
        .filter(|(g, _)| g.kind == Kind::EventLog)
        .chain(plan.iter().filter(|(g, _)| g.kind != Kind::EventLog));
    for (group, names) in ordered {
        let manifests = match group.kind {
            Kind::Snapshot => {
                let resumed = resume.filter(|c| c.group == group.name);
                // A continuation carries on a full run (an incremental one never continues).
                let plan = match resumed {
                    Some(_) => refresh::Plan::Full {
                        reason: "a full run carried on".into(),
                    },
                    None => refresh::plan(&scope, group, names, &rt.options.refresh).await,
                };
                let harvest = Harvest {
                    scope: &scope,
                    max_in_flight: config.settings.max_in_flight,
                    refresh: plan.incremental(),
                    full: plan.full_note().filter(|_| group.incremental),
                };
                let harvested = match resumed {
                    Some(c) => harvest.resume(group, c.resources.clone()).await,
                    None => harvest.run(group, names).await,
                };
                if group.incremental {
                    refresh::advance(&scope, &plan, &harvested.manifests).await;
                }
                for manifest in &harvested.manifests {
                    let Some(resource) = resources::find(&manifest.resource) else {
                        continue;
                    };
                    let fresh = harvested.fresh.get(resource.name);
                    let compared = changes::record(&scope, resource, manifest, fresh)
                        .instrument(tracing::info_span!("changes", resource = resource.name))
                        .await;
                    changes.extend(compared.as_ref().map(ChangesLine::from));
                }
                if !harvested.unfinished.is_empty() {
                    unfinished.push(Continuation::after(
                        run,
                        group.name,
                        resume,
                        harvested.unfinished,
                    ));
                }
                harvested.manifests
            }
            Kind::EventLog => {
                let mut manifests = Vec::new();
                let mut behind = false;
                // A resource derived from the log is written by the log's own run, always
                // (its records could not be made later): naming either runs both.
                let read = group.resources.iter().filter(|r| {
                    r.derived.is_none()
                        && (names.contains(&r.name)
                            || group
                                .derived_from(r.name)
                                .iter()
                                .any(|d| names.contains(&d.name)))
                });
                for resource in read {
                    let log = LogRun {
                        scope: &scope,
                        resource,
                        beside: group.derived_from(resource.name),
                        lookback_days: config.settings.log_lookback_days,
                    };
                    let end = log
                        .run(window)
                        .instrument(crate::progress::resource_span(resource))
                        .await;
                    behind |= end.behind;
                    manifests.extend(end.manifests);
                }
                // The checkpoint is the System Log's continuation; nothing else to carry.
                if behind {
                    unfinished.push(Continuation::after(run, group.name, resume, Vec::new()));
                }
                manifests
            }
        };
        resources.extend(manifests.iter().map(ResourceSummary::from));
    }
    let status = Status::roll_up(resources.iter().map(|r| r.status));
    TenantRun {
        summary: TenantSummary {
            tenant: id.to_string(),
            status,
            error: None,
            requests: client.stats(),
            resources,
            changes,
        },
        unfinished,
    }
}

/// One tenant's run: its summary, and the group runs it leaves for a continuation.
pub(crate) struct TenantRun {
    pub summary: TenantSummary,
    pub unfinished: Vec<Continuation>,
}

impl From<TenantSummary> for TenantRun {
    fn from(summary: TenantSummary) -> Self {
        Self {
            summary,
            unfinished: Vec::new(),
        }
    }
}
