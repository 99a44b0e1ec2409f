//! One run: an event → which tenants → for each tenant, in isolation, its groups' resources →
//! a summary. The Lambda handler and the CLI both come through here.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use futures::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::Instrument;

use crate::check::IntegrationStatus;
use crate::continuation::Continuation;
use crate::error::Error;
use crate::harvest::Harvest;
use crate::layout::RunId;
use crate::manifest::{Manifest, Status};
use crate::okta::{OktaClient, PublicResolver, RequestStats, RetryPolicy};
use crate::queue::WorkQueue;
use crate::resources::{self, Group, Kind};
use crate::store::ObjectStore;
use crate::system_log::{LogRun, Window};
use crate::tenant::TenantId;
use crate::tenants::{DEFAULT_SECRET_PREFIX, TenantSource};
use crate::work::{self, BatchResponse, Dispatched, SqsEvent};

/// Run-wide settings, read from the environment once (see the README's configuration table).
#[derive(Debug, Clone)]
pub struct Options {
    /// Tenants processed at once (`OKTA_INGEST_TENANT_CONCURRENCY`, default 4).
    pub tenant_concurrency: usize,
    /// Plain-http org URLs on loopback (`OKTA_INGEST_ALLOW_HTTP_LOOPBACK=1`): tests and the demo.
    pub allow_http_loopback: bool,
    /// How long a run may take when the invoker gives no usable deadline
    /// (`OKTA_INGEST_TIME_BUDGET_SECS`; unset means no limit).
    pub time_budget: Option<Duration>,
    pub retry: RetryPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tenant_concurrency: 4,
            allow_http_loopback: false,
            time_budget: None,
            retry: RetryPolicy::default(),
        }
    }
}

impl Options {
    pub fn from_env() -> Result<Self, Error> {
        let mut options = Options::default();
        if let Some(n) = env_number("OKTA_INGEST_TENANT_CONCURRENCY")? {
            options.tenant_concurrency = (n as usize).max(1);
        }
        options.allow_http_loopback =
            std::env::var("OKTA_INGEST_ALLOW_HTTP_LOOPBACK").as_deref() == Ok("1");
        options.time_budget = env_number("OKTA_INGEST_TIME_BUDGET_SECS")?.map(Duration::from_secs);
        Ok(options)
    }
}

fn env_number(name: &str) -> Result<Option<u64>, Error> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::Environment(format!("{name} must be a whole number"))),
    }
}

/// What a function builds once per container (or the CLI once per command) and reuses.
pub struct Runtime {
    pub store: ObjectStore,
    pub tenants: TenantSource,
    pub http: reqwest::Client,
    pub options: Options,
    /// The function's own work queue: with one, a tick fans out one message per tenant.
    pub queue: Option<WorkQueue>,
}

impl Runtime {
    /// The Lambda setup: output root from `OKTA_INGEST_OUTPUT`, tenants from Secrets Manager
    /// under `OKTA_INGEST_SECRET_PREFIX`.
    pub async fn from_env() -> Result<Self, Error> {
        let output = std::env::var("OKTA_INGEST_OUTPUT").map_err(|_| {
            Error::Environment(
                "OKTA_INGEST_OUTPUT is not set (s3://bucket/prefix or a folder)".into(),
            )
        })?;
        let prefix = std::env::var("OKTA_INGEST_SECRET_PREFIX")
            .unwrap_or_else(|_| DEFAULT_SECRET_PREFIX.to_owned());
        let options = Options::from_env()?;
        Ok(Self {
            store: ObjectStore::open(&output).await?,
            tenants: TenantSource::secrets_manager(&prefix).await,
            http: http_client(&options)?,
            options,
            queue: WorkQueue::from_env().await,
        })
    }
}

/// The HTTP client for Okta: rustls, timeouts, no redirects (a redirect could carry a
/// credential to another origin), names resolved only to public addresses (loopback too with
/// the `options`' opt-in), and the extra CA bundle in `SSL_CERT_FILE`, if any.
pub fn http_client(options: &Options) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .dns_resolver(PublicResolver::new(options.allow_http_loopback))
        .user_agent(concat!("okta-ingest/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        // Okta ends a slow System Log query at 30 s; anything slower than this is stuck.
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(50));
    if let Ok(path) = std::env::var("SSL_CERT_FILE") {
        let pem = std::fs::read(&path)
            .map_err(|e| Error::Environment(format!("SSL_CERT_FILE {path}: {e}")))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Error::Environment(format!("SSL_CERT_FILE {path}: {e}")))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::Environment(format!("building the HTTP client: {e}")))
}

/// Who an invocation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    AllTenants,
    Tenant(TenantId),
}

/// What an invocation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Ingest (the default).
    Run,
    /// Validate the secret and probe every resource once; nothing is ingested.
    Check,
}

/// A parsed invocation payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub target: Target,
    pub action: Action,
    /// A `--resources`-style list restricting what runs.
    pub resources: Option<String>,
    /// For the System Log: live (default) or a backfill window.
    pub window: Window,
    /// When a scheduled tick was due (from the EventBridge envelope).
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// An EventBridge envelope; only its type and time matter.
#[derive(Deserialize)]
struct EventBridgeEvent {
    #[serde(rename = "detail-type")]
    detail_type: String,
    time: Option<DateTime<Utc>>,
}

/// A manual payload. Unknown fields are refused, so a typo is an error, not a silent full run.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManualRequest {
    tenant: Option<String>,
    action: Option<Action>,
    resources: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

// The envelope goes first: with `untagged`, an all-optional request would also match it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Payload {
    EventBridge(EventBridgeEvent),
    Manual(ManualRequest),
}

impl Invocation {
    pub fn parse(payload: &Value) -> Result<Self, Error> {
        let payload: Payload = serde_json::from_value(payload.clone()).map_err(|_| {
            Error::Invocation(
                "expected an EventBridge scheduled event or {\"tenant\": \"<id>\"} (optionally with \"action\": \"check\", \"resources\", or \"since\" and \"until\" as RFC 3339 times for a System Log backfill)"
                    .into(),
            )
        })?;
        Ok(match payload {
            Payload::EventBridge(e) if e.detail_type == "Scheduled Event" => Invocation {
                target: Target::AllTenants,
                action: Action::Run,
                resources: None,
                window: Window::Live,
                scheduled_at: e.time,
            },
            Payload::EventBridge(e) => {
                return Err(Error::Invocation(format!(
                    "EventBridge {:?} events are not handled; only \"Scheduled Event\"",
                    e.detail_type
                )));
            }
            Payload::Manual(m) => Invocation {
                target: match m.tenant {
                    Some(t) => Target::Tenant(
                        TenantId::parse(&t).map_err(|e| Error::Invocation(e.to_string()))?,
                    ),
                    None => Target::AllTenants,
                },
                action: m.action.unwrap_or(Action::Run),
                resources: m.resources,
                window: match (m.since, m.until) {
                    (None, None) => Window::Live,
                    (Some(since), Some(until)) => Window::Backfill { since, until },
                    _ => {
                        return Err(Error::Invocation(
                            "a backfill needs both \"since\" and \"until\"".into(),
                        ));
                    }
                },
                scheduled_at: None,
            },
        })
    }
}

/// One resource's line in a summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceSummary {
    pub resource: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub records: u64,
    pub parts: usize,
    pub requests: RequestStats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl From<&Manifest> for ResourceSummary {
    fn from(m: &Manifest) -> Self {
        Self {
            resource: m.resource.clone(),
            status: m.status,
            reason: m.reason.clone(),
            records: m.records,
            parts: m.parts.len(),
            requests: m.requests,
            lag_seconds: m.lag_seconds,
            notes: m.notes.clone(),
        }
    }
}

/// One tenant's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantSummary {
    pub tenant: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every request to this tenant's Okta, token calls included.
    pub requests: RequestStats,
    pub resources: Vec<ResourceSummary>,
}

impl TenantSummary {
    fn failed(tenant: &str, error: &Error) -> Self {
        Self {
            tenant: tenant.to_owned(),
            status: Status::Failed,
            error: Some(error.to_string()),
            requests: RequestStats::default(),
            resources: Vec::new(),
        }
    }
}

/// What an invocation returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: Status,
    pub tenants: Vec<TenantSummary>,
}

impl RunSummary {
    /// The summary of `run`, ending now, over its tenants.
    pub(crate) fn finished(run: &RunId, tenants: Vec<TenantSummary>) -> Self {
        Self {
            run_id: run.to_string(),
            started_at: run.started(),
            finished_at: Utc::now(),
            status: Status::roll_up(tenants.iter().map(|t| t.status)),
            tenants,
        }
    }
}

/// What an invocation returns: a run's summary, the connection check's statuses, a tick's
/// dispatch, or (to SQS) the messages that failed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply {
    Run(RunSummary),
    Check { checks: Vec<IntegrationStatus> },
    Dispatch(Dispatched),
    Work(BatchResponse),
}

/// The Lambda handler's body for `group`: parse the payload, run (or check), summarise.
/// `deadline` is the invocation's deadline as Lambda gives it, if it is a real one.
pub async fn handle(
    rt: &Runtime,
    group: &'static Group,
    payload: &Value,
    deadline: Option<SystemTime>,
) -> Result<Reply, Error> {
    if let Some(event) = SqsEvent::parse(payload) {
        let queue = rt.queue.as_ref().ok_or_else(|| {
            Error::Environment(
                "an SQS event arrived, but OKTA_INGEST_QUEUE_URL (where continuations go) is not set"
                    .into(),
            )
        })?;
        return Ok(Reply::Work(
            work::work(rt, queue, group, event, deadline).await,
        ));
    }
    let invocation = Invocation::parse(payload)?;
    if invocation.action == Action::Check {
        return Ok(Reply::Check {
            checks: check(rt, &invocation.target).await?,
        });
    }
    if invocation.window != Window::Live && group.kind != Kind::EventLog {
        return Err(Error::Invocation(format!(
            "since/until are for the System Log (okta-logs), not {}",
            group.function_name()
        )));
    }
    // With a work queue, a whole tick fans out; a one-tenant (or partial) run stays here.
    if let (Some(queue), Target::AllTenants, Window::Live, None) = (
        &rt.queue,
        &invocation.target,
        &invocation.window,
        &invocation.resources,
    ) {
        let scheduled_at = invocation.scheduled_at.unwrap_or_else(Utc::now);
        return Ok(Reply::Dispatch(
            work::dispatch(rt, queue, group, scheduled_at).await?,
        ));
    }
    let names: Vec<&'static str> = match &invocation.resources {
        None => group.resources.iter().map(|r| r.name).collect(),
        Some(list) => {
            let picked = resources::select(list).map_err(Error::Invocation)?;
            let names: Vec<&'static str> = picked
                .into_iter()
                .filter(|(g, _)| g.name == group.name)
                .flat_map(|(_, names)| names)
                .collect();
            if names.is_empty() {
                return Err(Error::Invocation(format!(
                    "none of {list:?} is read by {}",
                    group.function_name()
                )));
            }
            names
        }
    };
    run(
        rt,
        &invocation.target,
        &[(group, names)],
        &invocation.window,
        deadline,
    )
    .await
    .map(Reply::Run)
}

/// The connection check for the target tenants: every resource of every group, one call each.
/// Each tenant's result is also written to its `_status/…/integration.json`.
pub async fn check(rt: &Runtime, target: &Target) -> Result<Vec<IntegrationStatus>, Error> {
    let tenants = match target {
        Target::AllTenants => rt.tenants.list().await?,
        Target::Tenant(id) => vec![Ok(id.clone())],
    };
    let all_scopes: Vec<&'static str> = resources::ALL.iter().flat_map(|g| g.scopes()).collect();
    let mut statuses = Vec::new();
    // An invalid secret name has no tenant id to file a status under (the listing logs it).
    for tenant in tenants.into_iter().flatten() {
        let status = match rt
            .tenants
            .load(&tenant, rt.options.allow_http_loopback)
            .await
        {
            Err(e) => IntegrationStatus::unusable(&tenant, e.to_string()),
            Ok(config) => {
                let client = OktaClient::new(
                    rt.http.clone(),
                    &config.org_url,
                    &config.auth,
                    config.settings.rate_limit_fraction,
                    all_scopes.iter().copied(),
                    rt.options.retry.clone(),
                    None,
                );
                crate::check::check(&client, &tenant)
                    .instrument(tracing::info_span!("check", tenant = %tenant))
                    .await
            }
        };
        status.write(&rt.store).await?;
        statuses.push(status);
    }
    Ok(statuses)
}

/// Runs `plan` (groups, each with its selected resources) for the target tenants.
pub async fn run(
    rt: &Runtime,
    target: &Target,
    plan: &[(&'static Group, Vec<&'static str>)],
    window: &Window,
    deadline: Option<SystemTime>,
) -> Result<RunSummary, Error> {
    let run = RunId::new(Utc::now());
    let started = Instant::now();
    let deadline = run_deadline(&rt.options, deadline, started);
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
                run_tenant(rt, &id, &run, plan, window, deadline, None).instrument(span),
            )
            .catch_unwind()
            .await
            .map(|tenant_run| tenant_run.summary)
            .unwrap_or_else(|_| TenantSummary::failed(id.as_str(), &Error::panicked()))
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
    deadline: Option<Instant>,
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
    let (stop_at, client_deadline) = match deadline {
        Some(d) => {
            let margin = safety_margin(d);
            (Some(d - margin), Some(d - margin / 2))
        }
        None => (None, None),
    };
    let lease_until = lease_until(deadline);
    let log_stop_at = match deadline {
        Some(_) => stop_at,
        None => Some(Instant::now() + UNBOUNDED_LEASE - LEASE_GRACE * 3),
    };
    let client = OktaClient::new(
        rt.http.clone(),
        &config.org_url,
        &config.auth,
        config.settings.rate_limit_fraction,
        scopes,
        rt.options.retry.clone(),
        client_deadline,
    );
    let harvest = Harvest {
        client: &client,
        store: &rt.store,
        tenant: id,
        run,
        max_in_flight: config.settings.max_in_flight,
        stop_at,
        pii: config.pii.as_ref(),
    };
    let mut resources = Vec::new();
    let mut unfinished = Vec::new();
    for (group, names) in plan {
        let manifests = match group.kind {
            Kind::Snapshot => {
                let harvested = match resume.filter(|c| c.group == group.name) {
                    Some(c) => harvest.resume(group, c.resources.clone()).await,
                    None => harvest.run(group, names).await,
                };
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
                for resource in group.resources.iter().filter(|r| names.contains(&r.name)) {
                    let log = LogRun {
                        resource,
                        client: &client,
                        store: &rt.store,
                        tenant: id,
                        run,
                        lookback_days: config.settings.log_lookback_days,
                        stop_at: log_stop_at,
                        lease_until,
                        pii: config.pii.as_ref(),
                    };
                    let end = log
                        .run(window)
                        .instrument(crate::progress::resource_span(resource))
                        .await;
                    behind |= end.behind;
                    manifests.push(end.manifest);
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

/// The instant a run must be done by: Lambda's deadline if it is a real one, else the
/// configured time budget from `started`, else none.
pub(crate) fn run_deadline(
    options: &Options,
    deadline: Option<SystemTime>,
    started: Instant,
) -> Option<Instant> {
    usable_deadline(deadline).or_else(|| options.time_budget.map(|b| started + b))
}

/// Until when a run's leases hold: a little past the deadline (Lambda ends the run there), or,
/// with no deadline, a bounded stretch that the run stops short of.
pub(crate) fn lease_until(deadline: Option<Instant>) -> DateTime<Utc> {
    match deadline {
        Some(d) => utc_in(d.saturating_duration_since(Instant::now()) + LEASE_GRACE),
        None => utc_in(UNBOUNDED_LEASE),
    }
}

/// How long a lease lasts past the deadline, and how long without one.
const LEASE_GRACE: Duration = Duration::from_secs(5);
const UNBOUNDED_LEASE: Duration = Duration::from_secs(15 * 60);

/// The UTC time `after` from now.
fn utc_in(after: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(after).unwrap_or_default()
}

/// Lambda's deadline as an `Instant`, unless it is no real deadline: `Context::default()` has
/// 0 and `cargo lambda watch` sends a constant in 1970.
fn usable_deadline(deadline: Option<SystemTime>) -> Option<Instant> {
    let deadline = deadline?;
    let left = deadline.duration_since(SystemTime::now()).ok()?;
    let plausible =
        deadline.duration_since(SystemTime::UNIX_EPOCH).ok()? > Duration::from_secs(1_000_000_000);
    plausible.then(|| Instant::now() + left)
}

/// Time kept back before the deadline to close parts and write manifests.
fn safety_margin(deadline: Instant) -> Duration {
    let left = deadline.saturating_duration_since(Instant::now());
    (left / 5).clamp(Duration::from_secs(2), Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads() {
        let scheduled = json!({
            "version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "1", "time": "2026-11-28T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}
        });
        assert_eq!(
            Invocation::parse(&scheduled).unwrap().target,
            Target::AllTenants
        );
        let one = Invocation::parse(&json!({"tenant": "acme"})).unwrap();
        assert_eq!(one.target, Target::Tenant(TenantId::parse("acme").unwrap()));
        let some =
            Invocation::parse(&json!({"tenant": "acme", "resources": "user_factors"})).unwrap();
        assert_eq!(some.resources.as_deref(), Some("user_factors"));
        assert!(Invocation::parse(&json!({"tenat": "acme"})).is_err());
        assert!(Invocation::parse(&json!({"tenant": "ACME"})).is_err());
        assert!(Invocation::parse(&json!([1])).is_err());
    }

    #[test]
    fn implausible_deadlines_are_unknown() {
        assert!(usable_deadline(None).is_none());
        assert!(
            usable_deadline(Some(
                SystemTime::UNIX_EPOCH + Duration::from_millis(600_000)
            ))
            .is_none()
        );
        assert!(usable_deadline(Some(SystemTime::now() - Duration::from_secs(1))).is_none());
        assert!(usable_deadline(Some(SystemTime::now() + Duration::from_secs(60))).is_some());
    }
}
