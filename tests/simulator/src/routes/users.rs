//! `/api/v1/users` (the plain list without DEPROVISIONED users, the one search that finds
//! them, or a `filter`, which lists every status) and the per-user `factors` and `roles`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{Call, children};
use crate::filter::Filter;
use crate::paging;
use crate::reply::{not_found, okta_error};

const MAX_LIMIT: usize = 200;
const DEPROVISIONED_SEARCH: &str = "status eq \"DEPROVISIONED\"";
/// What Okta's user filter takes (the spec's list).
const FILTER_FIELDS: &[&str] = &[
    "status",
    "lastUpdated",
    "id",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];

pub(crate) fn list(call: &Call) -> Response {
    let limit = match paging::limit(call, MAX_LIMIT, MAX_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    // A filter lists DEPROVISIONED users too (the plain list and `q` do not).
    if let Some(text) = call.param("filter") {
        let filter = match Filter::parse(text, FILTER_FIELDS, &["lastUpdated"]) {
            Ok(filter) => filter,
            Err(e) => {
                return okta_error(
                    StatusCode::BAD_REQUEST,
                    "E0000031",
                    &format!("Invalid filter: {e}"),
                );
            }
        };
        let page = paging::page(call, &call.data.users, limit, |user| filter.accepts(user));
        return paging::link_response(call, &page.items, page.next.as_deref());
    }
    let deprovisioned = match call.param("search").map(str::trim) {
        None => false,
        Some(DEPROVISIONED_SEARCH) => true,
        Some(other) => {
            return okta_error(
                StatusCode::BAD_REQUEST,
                "E0000031",
                &format!("Invalid search criteria: {other}"),
            );
        }
    };
    let faults = &call.org.faults;
    let page = paging::page(call, &call.data.users, limit, |user| {
        let midway =
            deprovisioned && faults.deprovisioned_midway(user["id"].as_str().unwrap_or_default());
        (user["status"] == "DEPROVISIONED") == deprovisioned || midway
    });
    // Users deactivated after the plain list read them show here as they are now.
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|user| {
            let mut user = (*user).clone();
            if deprovisioned && user["status"] != "DEPROVISIONED" {
                user["status"] = "DEPROVISIONED".into();
            }
            user
        })
        .collect();
    paging::link_response(call, &items, page.next.as_deref())
}

/// A DEPROVISIONED user's factors are 404, as on a real org.
pub(crate) fn factors(call: &Call) -> Response {
    let data = &call.data;
    if data
        .user(call.id())
        .is_some_and(|u| u["status"] == "DEPROVISIONED")
    {
        return not_found(call.id());
    }
    children(
        call,
        data.user(call.id()).is_some(),
        data.factors.get(call.id()),
    )
}

/// With `expand`, each assignment carries its targets of that kind.
pub(crate) fn roles(call: &Call) -> Response {
    let data = &call.data;
    let roles = data
        .user_roles
        .get(call.id())
        .map(|roles| super::with_targets(call, roles));
    children(call, data.user(call.id()).is_some(), roles.as_ref())
}
