//! The endpoints a security review reads beyond the directory: API tokens, authenticators,
//! authorization servers, trusted origins, hooks, log streams, API service integrations,
//! service apps' roles, resource sets' contents and the org's contact users. Each pages as
//! its operation in Okta's spec says: not at all, by `limit` and `after` in `Link` headers, or
//! by a next link in the body.

use axum::response::Response;
use serde_json::Value;

use super::{Call, children};
use crate::data::find;
use crate::paging;
use crate::reply::{json, not_found};

/// A `Link`-paged list: `limit` from `default` up to `max`, then `after`.
fn linked(call: &Call, list: &[Value], default: usize, max: usize) -> Response {
    let limit = match paging::limit(call, default, max) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, list, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn api_tokens(call: &Call) -> Response {
    json(&call.data.api_tokens)
}

pub(crate) fn authenticators(call: &Call) -> Response {
    json(&call.data.authenticators)
}

pub(crate) fn authenticator_methods(call: &Call) -> Response {
    let data = &call.data;
    children(
        call,
        find(&data.authenticators, call.id()).is_some(),
        data.authenticator_methods.get(call.id()),
    )
}

pub(crate) fn authorization_servers(call: &Call) -> Response {
    linked(call, &call.data.authorization_servers, 200, 200)
}

pub(crate) fn authorization_server_policies(call: &Call) -> Response {
    let data = &call.data;
    children(
        call,
        find(&data.authorization_servers, call.id()).is_some(),
        data.authorization_server_policies.get(call.id()),
    )
}

/// The spec gives `limit` a maximum of 200 and no default.
pub(crate) fn authorization_server_scopes(call: &Call) -> Response {
    let data = &call.data;
    match data.authorization_server_scopes.get(call.id()) {
        Some(scopes) => linked(call, scopes, 200, 200),
        None => not_found(call.id()),
    }
}

/// A policy's rules: 404 unless the policy is the server's.
pub(crate) fn authorization_server_policy_rules(call: &Call) -> Response {
    let data = &call.data;
    let (server, policy) = (call.id(), call.ids.get(1).copied().unwrap_or_default());
    let of_server = data
        .authorization_server_policies
        .get(server)
        .is_some_and(|policies| policies.iter().any(|p| p["id"] == policy));
    if !of_server {
        return not_found(call.path);
    }
    children(
        call,
        true,
        data.authorization_server_policy_rules.get(policy),
    )
}

pub(crate) fn authorization_server_claims(call: &Call) -> Response {
    let data = &call.data;
    children(
        call,
        find(&data.authorization_servers, call.id()).is_some(),
        data.authorization_server_claims.get(call.id()),
    )
}

pub(crate) fn trusted_origins(call: &Call) -> Response {
    linked(call, &call.data.trusted_origins, 20, 200)
}

pub(crate) fn event_hooks(call: &Call) -> Response {
    json(&call.data.event_hooks)
}

pub(crate) fn inline_hooks(call: &Call) -> Response {
    json(&call.data.inline_hooks)
}

pub(crate) fn log_streams(call: &Call) -> Response {
    linked(call, &call.data.log_streams, 20, 200)
}

/// Takes only `after`: pages of 20.
pub(crate) fn api_service_integrations(call: &Call) -> Response {
    let page = paging::page(call, &call.data.api_service_integrations, 20, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

/// A service app's roles by its client id; `[]` for an OAuth client without any.
pub(crate) fn client_roles(call: &Call) -> Response {
    let data = &call.data;
    let is_client = data
        .apps
        .iter()
        .any(|a| a["credentials"]["oauthClient"]["client_id"] == call.id());
    children(call, is_client, data.client_roles.get(call.id()))
}

/// Resource set by id or label.
fn resource_set<'a>(call: &'a Call<'a>) -> Option<&'a str> {
    let sets = &call.data.resource_sets;
    find(sets, call.id())
        .or_else(|| sets.iter().find(|s| s["label"] == call.id()))
        .and_then(|s| s["id"].as_str())
}

/// Body-paged, `limit` up to 100 (the spec's default; it names no maximum).
pub(crate) fn resource_set_resources(call: &Call) -> Response {
    let Some(set) = resource_set(call) else {
        return not_found(call.id());
    };
    let limit = match paging::limit(call, 100, 100) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let empty = Vec::new();
    let list = call.data.resource_set_resources.get(set).unwrap_or(&empty);
    let page = paging::page(call, list, limit, |_| true);
    paging::body_response(call, "resources", &page.items, page.next.as_deref())
}

/// Body-paged by 100 ("more than 100 bindings" get a next link), `after` only.
pub(crate) fn resource_set_bindings(call: &Call) -> Response {
    let Some(set) = resource_set(call) else {
        return not_found(call.id());
    };
    let empty = Vec::new();
    let list = call.data.resource_set_bindings.get(set).unwrap_or(&empty);
    let page = paging::page(call, list, 100, |_| true);
    paging::body_response(call, "roles", &page.items, page.next.as_deref())
}

/// A binding's members, by resource set (id or label) and role id; body-paged by 100.
pub(crate) fn resource_set_binding_members(call: &Call) -> Response {
    let Some(set) = resource_set(call) else {
        return not_found(call.id());
    };
    let role = call.ids.get(1).copied().unwrap_or_default();
    let Some(list) = call
        .data
        .resource_set_binding_members
        .get(&format!("{set}/{role}"))
    else {
        return not_found(role);
    };
    let page = paging::page(call, list, 100, |_| true);
    paging::body_response(call, "members", &page.items, page.next.as_deref())
}

/// `BILLING` or `TECHNICAL` (the links Okta gives spell them in lower case).
pub(crate) fn org_contact_user(call: &Call) -> Response {
    let kind = call.id().to_uppercase();
    match call.data.org_contact_users.get(&kind) {
        Some(user) => json(user),
        None => not_found(call.id()),
    }
}
