//! `/api/v1/users` (the plain list without DEPROVISIONED users, or the one search that finds
//! them) and the per-user `factors` and `roles`.

use axum::http::StatusCode;
use axum::response::Response;

use super::{Call, children};
use crate::paging;
use crate::reply::okta_error;

const MAX_LIMIT: usize = 200;
const DEPROVISIONED_SEARCH: &str = "status eq \"DEPROVISIONED\"";

pub(crate) fn list(call: &Call) -> Response {
    let limit = match paging::limit(call, MAX_LIMIT, MAX_LIMIT) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
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
    let page = paging::page(call, &call.org.dataset.users, limit, |user| {
        (user["status"] == "DEPROVISIONED") == deprovisioned
    });
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn factors(call: &Call) -> Response {
    let data = &call.org.dataset;
    children(
        call,
        data.user(call.id()).is_some(),
        data.factors.get(call.id()),
    )
}

pub(crate) fn roles(call: &Call) -> Response {
    let data = &call.org.dataset;
    children(
        call,
        data.user(call.id()).is_some(),
        data.user_roles.get(call.id()),
    )
}
