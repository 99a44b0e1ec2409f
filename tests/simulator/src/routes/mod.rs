//! The management endpoints the simulator serves: path template, the OAuth scope Okta checks,
//! and the handler. One table, so stats, scopes and dispatch agree.

mod apps;
mod devices;
mod groups;
mod iam;
mod logs;
mod org;
mod policies;
mod posture;
mod security;
mod users;

use axum::response::Response;
use std::sync::Arc;

use serde_json::Value;

use crate::data::Dataset;
use crate::reply::{json, not_found};
use crate::state::OrgState;

/// One endpoint. `{id}` in a template matches one path segment.
pub(crate) struct Route {
    pub template: &'static str,
    pub scope: &'static str,
    pub handler: fn(&Call) -> Response,
}

/// An authorised request, as handlers see it.
pub(crate) struct Call<'a> {
    pub org: &'a OrgState,
    /// The org's objects as this request sees them.
    pub data: Arc<Dataset>,
    /// The request path (no query).
    pub path: &'a str,
    /// The values of the template's `{id}` segments, in order.
    pub ids: Vec<&'a str>,
    /// The raw query string, as received.
    pub raw_query: Option<&'a str>,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

impl Call<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first `{id}` of the path.
    pub fn id(&self) -> &str {
        self.ids.first().copied().unwrap_or_default()
    }

    /// The URL of this request on the org's origin.
    pub fn self_url(&self) -> String {
        match self.raw_query {
            Some(q) if !q.is_empty() => format!("{}{}?{q}", self.org.url, self.path),
            _ => format!("{}{}", self.org.url, self.path),
        }
    }
}

/// Scope names, as Okta's spec assigns them.
const USERS: &str = "okta.users.read";
const GROUPS: &str = "okta.groups.read";
const APPS: &str = "okta.apps.read";
const ROLES: &str = "okta.roles.read";
const ORGS: &str = "okta.orgs.read";
const AUTHENTICATORS: &str = "okta.authenticators.read";
const AUTHORIZATION_SERVERS: &str = "okta.authorizationServers.read";

const fn route(
    template: &'static str,
    scope: &'static str,
    handler: fn(&Call) -> Response,
) -> Route {
    Route {
        template,
        scope,
        handler,
    }
}

/// Literal templates come before `{id}` templates of the same shape, so they win.
static ROUTES: &[Route] = &[
    route("/api/v1/users", USERS, users::list),
    route("/api/v1/users/{id}/factors", USERS, users::factors),
    route("/api/v1/users/{id}/roles", ROLES, users::roles),
    route("/api/v1/groups", GROUPS, groups::list),
    route("/api/v1/groups/rules", GROUPS, groups::rules),
    route("/api/v1/groups/{id}/users", GROUPS, groups::members),
    route("/api/v1/groups/{id}/roles", ROLES, groups::roles),
    route("/api/v1/apps", APPS, apps::list),
    route("/api/v1/apps/{id}/users", APPS, apps::users),
    route("/api/v1/apps/{id}/groups", APPS, apps::groups),
    route(
        "/api/v1/apps/{id}/grants",
        "okta.appGrants.read",
        apps::grants,
    ),
    route("/api/v1/iam/assignees/users", ROLES, iam::assignees),
    route("/api/v1/iam/roles", ROLES, iam::custom_roles),
    route(
        "/api/v1/iam/roles/{id}/permissions",
        ROLES,
        iam::permissions,
    ),
    route("/api/v1/iam/resource-sets", ROLES, iam::resource_sets),
    route(
        "/api/v1/iam/resource-sets/{id}/resources",
        ROLES,
        posture::resource_set_resources,
    ),
    route(
        "/api/v1/iam/resource-sets/{id}/bindings",
        ROLES,
        posture::resource_set_bindings,
    ),
    route(
        "/api/v1/iam/resource-sets/{id}/bindings/{id}/members",
        ROLES,
        posture::resource_set_binding_members,
    ),
    route(
        "/oauth2/v1/clients/{id}/roles",
        ROLES,
        posture::client_roles,
    ),
    route("/api/v1/policies", "okta.policies.read", policies::list),
    route(
        "/api/v1/policies/{id}/rules",
        "okta.policies.read",
        policies::rules,
    ),
    route("/api/v1/org", ORGS, org::org),
    route("/api/v1/org/contacts", ORGS, org::contacts),
    route("/api/v1/org/contacts/{id}", ORGS, posture::org_contact_user),
    route("/api/v1/org/preferences", ORGS, org::setting),
    route("/api/v1/org/privacy/oktaSupport", ORGS, org::setting),
    route("/api/v1/org/privacy/oktaCommunication", ORGS, org::setting),
    route(
        "/api/v1/org/orgSettings/thirdPartyAdminSetting",
        ORGS,
        org::setting,
    ),
    route(
        "/api/v1/org/settings/clientPrivilegesSetting",
        ORGS,
        org::setting,
    ),
    route(
        "/api/v1/org/settings/autoAssignAdminAppSetting",
        ORGS,
        org::setting,
    ),
    route("/api/v1/domains", "okta.domains.read", org::domains),
    route("/api/v1/devices", "okta.devices.read", devices::list),
    route("/api/v1/idps", "okta.idps.read", security::idps),
    route("/api/v1/zones", "okta.networkZones.read", security::zones),
    route(
        "/api/v1/threats/configuration",
        "okta.threatInsights.read",
        security::threat_insight,
    ),
    route(
        "/api/v1/behaviors",
        "okta.behaviors.read",
        security::behaviors,
    ),
    route("/api/v1/logs", "okta.logs.read", logs::list),
    route(
        "/api/v1/api-tokens",
        "okta.apiTokens.read",
        posture::api_tokens,
    ),
    route(
        "/api/v1/authenticators",
        AUTHENTICATORS,
        posture::authenticators,
    ),
    route(
        "/api/v1/authenticators/{id}/methods",
        AUTHENTICATORS,
        posture::authenticator_methods,
    ),
    route(
        "/api/v1/authorizationServers",
        AUTHORIZATION_SERVERS,
        posture::authorization_servers,
    ),
    route(
        "/api/v1/authorizationServers/{id}/policies",
        AUTHORIZATION_SERVERS,
        posture::authorization_server_policies,
    ),
    route(
        "/api/v1/authorizationServers/{id}/policies/{id}/rules",
        AUTHORIZATION_SERVERS,
        posture::authorization_server_policy_rules,
    ),
    route(
        "/api/v1/authorizationServers/{id}/scopes",
        AUTHORIZATION_SERVERS,
        posture::authorization_server_scopes,
    ),
    route(
        "/api/v1/authorizationServers/{id}/claims",
        AUTHORIZATION_SERVERS,
        posture::authorization_server_claims,
    ),
    route(
        "/api/v1/trustedOrigins",
        "okta.trustedOrigins.read",
        posture::trusted_origins,
    ),
    route(
        "/api/v1/eventHooks",
        "okta.eventHooks.read",
        posture::event_hooks,
    ),
    route(
        "/api/v1/inlineHooks",
        "okta.inlineHooks.read",
        posture::inline_hooks,
    ),
    route(
        "/api/v1/logStreams",
        "okta.logStreams.read",
        posture::log_streams,
    ),
    route(
        "/integrations/api/v1/api-services",
        "okta.oauthIntegrations.read",
        posture::api_service_integrations,
    ),
];

/// A parent's unpaged child list: 404 for an unknown parent, `[]` for one without children.
fn children(call: &Call, parent_exists: bool, children: Option<&Vec<Value>>) -> Response {
    match (parent_exists, children) {
        (false, _) => not_found(call.id()),
        (true, Some(children)) => json(children),
        (true, None) => json(&Vec::<Value>::new()),
    }
}

/// Role assignments as listed: with `expand=targets/…`, each with its targets of that kind.
fn with_targets(call: &Call, roles: &[Value]) -> Vec<Value> {
    match call.param("expand") {
        Some(expand) => roles
            .iter()
            .map(|role| call.data.role_with_targets(role, expand))
            .collect(),
        None => roles.to_vec(),
    }
}

/// The route of a path and the values of its `{id}` segments.
pub(crate) fn find(path: &str) -> Option<(&'static Route, Vec<&str>)> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES.iter().find_map(|route| {
        let template: Vec<&str> = route.template.split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut ids = Vec::new();
        for (t, s) in template.iter().zip(&segments) {
            if *t == "{id}" && !s.is_empty() {
                ids.push(*s);
            } else if t != s {
                return None;
            }
        }
        Some((route, ids))
    })
}
