//! `/api/v1/users` (the plain list without DEPROVISIONED users, or the one search that finds
//! them) and `/api/v1/users/{id}/factors`.

use axum::http::StatusCode;
use axum::response::Response;

use super::Call;
use crate::paging;
use crate::reply::{json, not_found, okta_error};

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
    match call.org.dataset.factors.get(call.id()) {
        Some(factors) => json(factors),
        None => not_found(call.id()),
    }
}
