//! The connection check: are a tenant's credentials good, and which resources can they read?
//!
//! One cheap call per resource (`limit=1`; a child resource is probed on the first of its
//! parent's records that it would read, and on the next ones while Okta refuses that object,
//! as it does the built-in admins group). Resources come in two tiers: those under the
//! integration's own scopes ([`resources::INTEGRATION_SCOPES`]) and optional ones. The tenant is
//! Active when every resource of the first tier answers; an optional resource that does not
//! answer is shown (and skipped by runs) but does not make it inactive. Each row that is not
//! `ok` says what is wrong and what to do. The result is written to
//! `_status/tenant={t}/integration.json` (the CLI may only print it).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use tracing::Instrument;

use crate::error::Error;
use crate::invocation::Target;
use crate::layout;
use crate::manifest::ParentFailure;
use crate::okta::{OktaClient, OktaError, RequestCounters};
use crate::resources::{self, Parent, Resource};
use crate::runtime::{Options, Runtime};
use crate::store::{ObjectStore, PutMode, StoreError};
use crate::tenant::TenantId;
use crate::tenants::TenantSource;

/// One resource's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub resource: String,
    /// `ok`, or an error kind: `missing_scope`, `permission_denied`, `not_available`,
    /// `invalid_credentials`, `unreachable`, or the token endpoint's refusal of the client
    /// (`invalid_client`, `network_zone`, `grant_type_not_allowed`, `dpop_proof_refused`), …
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Whether the resource is optional: it needs a scope beyond the integration's own, and
    /// its answer does not decide whether the tenant is active.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Parents Okta refused to serve on the way (a run leaves them out, as `excluded`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ParentFailure>,
}

/// Parents of a child resource tried before a probe gives up.
const PROBED_PARENTS: u32 = 5;

/// A tenant's integration status.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntegrationStatus {
    pub tenant: String,
    /// True when every resource under the integration's scopes answered.
    pub active: bool,
    pub checked_at: DateTime<Utc>,
    /// Present when the check could not even start (secret or credentials unusable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub resources: Vec<Probe>,
}

impl IntegrationStatus {
    pub fn unusable(tenant: &TenantId, error: String) -> Self {
        Self {
            tenant: tenant.to_string(),
            active: false,
            checked_at: Utc::now(),
            error: Some(error),
            resources: Vec::new(),
        }
    }

    /// Writes the status where operators (and dashboards) look for it.
    pub async fn write(&self, store: &ObjectStore) -> Result<(), StoreError> {
        let tenant = TenantId::parse(&self.tenant).expect("statuses are made for valid tenants");
        let body = serde_json::to_vec_pretty(self).expect("a status serialises");
        store
            .put(&layout::status(&tenant), body.into(), PutMode::Overwrite)
            .await
            .map(|_| ())
    }
}

/// The connection check for the target tenants: every resource of every group, one call each.
/// Each tenant's result is also written to its `_status/…/integration.json`.
pub async fn tenants(rt: &Runtime, target: &Target) -> Result<Vec<IntegrationStatus>, Error> {
    let tenants = match target {
        Target::AllTenants => rt.tenants.list().await?,
        Target::Tenant(id) => vec![Ok(id.clone())],
    };
    let mut statuses = Vec::new();
    // An invalid secret name has no tenant id to file a status under (the listing logs it).
    for tenant in tenants.into_iter().flatten() {
        let status = tenant_status(&rt.tenants, &rt.http, &rt.options, &tenant).await;
        status.write(&rt.store).await?;
        statuses.push(status);
    }
    Ok(statuses)
}

/// One tenant's check, written nowhere: its config loaded from `tenants`, then every resource
/// probed.
pub async fn tenant_status(
    tenants: &TenantSource,
    http: &reqwest::Client,
    options: &Options,
    tenant: &TenantId,
) -> IntegrationStatus {
    let config = match tenants.load(tenant, options.allow_http_loopback).await {
        Err(e) => return IntegrationStatus::unusable(tenant, e.to_string()),
        Ok(config) => config,
    };
    let all_scopes: Vec<&'static str> = resources::ALL.iter().flat_map(|g| g.scopes()).collect();
    let client = OktaClient::new(
        http.clone(),
        &config.org_url,
        &config.auth,
        config.settings.rate_limit_fraction,
        all_scopes.iter().copied(),
        options.retry.clone(),
        None,
    );
    check(&client, tenant)
        .instrument(tracing::info_span!("check", tenant = %tenant))
        .await
}

/// Probes every resource of every group with `client`.
pub async fn check(client: &OktaClient, tenant: &TenantId) -> IntegrationStatus {
    let tally = RequestCounters::default();
    let mut probes = Vec::new();
    for group in resources::ALL {
        // A derived resource reads nothing of its own: its source's probe speaks for it.
        for resource in group.resources.iter().filter(|r| r.derived.is_none()) {
            let mut excluded = Vec::new();
            let outcome = probe(client, resource, &tally, &mut excluded).await;
            probes.push(Probe {
                resource: resource.name.to_owned(),
                status: outcome
                    .as_ref()
                    .map_or_else(|e| e.kind().to_owned(), |()| "ok".into()),
                detail: outcome.err().map(|e| e.to_string()),
                optional: resource.optional(),
                excluded,
            });
        }
    }
    let active = probes.iter().all(|p| p.optional || p.status == "ok");
    tracing::info!(
        active,
        requests = tally.snapshot().requests,
        "connection check finished"
    );
    IntegrationStatus {
        tenant: tenant.to_string(),
        active,
        checked_at: Utc::now(),
        error: None,
        resources: probes,
    }
}

/// One call with `limit=1`; for a child, first one call for its parents' ids, then one per
/// parent until Okta serves one (those it refuses go on `excluded`).
async fn probe(
    client: &OktaClient,
    resource: &Resource,
    tally: &RequestCounters,
    excluded: &mut Vec<ParentFailure>,
) -> Result<(), OktaError> {
    let Some(link) = &resource.parent else {
        return fetch(client, resource, resource.path, 1, tally).await;
    };
    let mut refusal = None;
    for id in parent_ids(client, link, tally).await? {
        let path = resource.path_for(&id);
        match fetch(client, resource, &path, 1, tally).await {
            Err(e) if e.refuses_the_object() => {
                excluded.push(ParentFailure::new(&id, &e));
                refusal = Some(e);
            }
            other => return other,
        }
        if excluded.len() as u32 >= PROBED_PARENTS {
            break;
        }
    }
    // No parent to ask about is nothing wrong; only refusals is the answer.
    refusal.map_or(Ok(()), Err)
}

/// The first ids a child's path takes, as a run would give them: those of its parent's first
/// records that it would read; for a child of a child, those under the first grandparent with
/// any (`{grandparent id}/{parent id}`).
async fn parent_ids(
    client: &OktaClient,
    link: &Parent,
    tally: &RequestCounters,
) -> Result<Vec<String>, OktaError> {
    let parent = resources::find(link.resource).expect("parents are declared");
    let paths: Vec<(String, Option<String>)> = match &parent.parent {
        None => vec![(parent.path.to_owned(), None)],
        Some(grand) => {
            let top = resources::find(grand.resource).expect("parents are declared");
            let page = client
                .get_page(
                    &probe_url(client, top, top.path, PROBED_PARENTS),
                    top.scope,
                    top.shape,
                    tally,
                )
                .await?;
            page.records()
                .into_iter()
                .filter(|r| grand.select.accepts(r))
                .filter_map(|r| grand.id_of(r))
                .map(|id| (parent.path_for(&id), Some(id)))
                .collect()
        }
    };
    for (path, outer) in paths {
        let page = client
            .get_page(
                &probe_url(client, parent, &path, PROBED_PARENTS),
                parent.scope,
                parent.shape,
                tally,
            )
            .await?;
        let mut ids = Vec::new();
        for record in page
            .records()
            .into_iter()
            .filter(|r| link.select.accepts(r))
        {
            let id = link.id_of(record).ok_or_else(|| {
                OktaError::Malformed(format!("a {} record without {:?}", parent.name, link.key))
            })?;
            ids.push(match &outer {
                Some(outer) => format!("{outer}/{id}"),
                None => id,
            });
        }
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    Ok(Vec::new())
}

/// One page of `resource` at `path`, asking for `records` where the endpoint pages.
async fn fetch(
    client: &OktaClient,
    resource: &Resource,
    path: &str,
    records: u32,
    tally: &RequestCounters,
) -> Result<(), OktaError> {
    client
        .get_page(
            &probe_url(client, resource, path, records),
            resource.scope,
            resource.shape,
            tally,
        )
        .await
        .map(|_| ())
}

/// The resource's first listing, asking for `records` where the endpoint pages.
fn probe_url(client: &OktaClient, resource: &Resource, path: &str, records: u32) -> url::Url {
    let listing = resource.listings.first().copied().unwrap_or("");
    client
        .org()
        .join(&resource.first_url(path, listing, resource.limit.map(|_| records)))
}
