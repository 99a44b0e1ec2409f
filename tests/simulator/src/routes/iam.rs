//! The `/api/v1/iam/*` lists, paged by a next link in the body: role assignees, custom roles
//! (and their permissions) and resource sets.

use axum::response::Response;
use serde_json::json;

use super::Call;
use crate::data::find;
use crate::paging;
use crate::reply::{json, not_found};

/// Page size of the lists that take only `after`.
const BODY_PAGE: usize = 20;

pub(crate) fn assignees(call: &Call) -> Response {
    let limit = match paging::limit(call, 100, 200) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, &call.data.role_assignees, limit, |_| true);
    paging::body_response(call, "value", &page.items, page.next.as_deref())
}

pub(crate) fn custom_roles(call: &Call) -> Response {
    let page = paging::page(call, &call.data.custom_roles, BODY_PAGE, |_| true);
    paging::body_response(call, "roles", &page.items, page.next.as_deref())
}

pub(crate) fn permissions(call: &Call) -> Response {
    let data = &call.data;
    // Okta accepts the role's id or its label.
    let role = find(&data.custom_roles, call.id())
        .or_else(|| data.custom_roles.iter().find(|r| r["label"] == call.id()));
    match role.and_then(|r| data.custom_role_permissions.get(r["id"].as_str()?)) {
        Some(permissions) => json(&json!({ "permissions": permissions })),
        None => not_found(call.id()),
    }
}

pub(crate) fn resource_sets(call: &Call) -> Response {
    let page = paging::page(call, &call.data.resource_sets, BODY_PAGE, |_| true);
    paging::body_response(call, "resource-sets", &page.items, page.next.as_deref())
}
