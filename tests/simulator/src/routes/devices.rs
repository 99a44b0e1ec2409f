//! `/api/v1/devices` (with `expand=user`). Identity Engine only: a Classic org answers
//! 401 E0000015, Okta's "feature not enabled".

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::Call;
use crate::config::Engine;
use crate::paging;
use crate::reply::okta_error;

pub(crate) fn list(call: &Call) -> Response {
    if call.org.config.engine == Engine::Classic {
        return okta_error(
            StatusCode::UNAUTHORIZED,
            "E0000015",
            "You do not have permission to access the feature you are requesting",
        );
    }
    let data = &call.data;
    let limit = match paging::limit(call, 200, 200) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, &data.devices, limit, |_| true);
    if call.param("expand") == Some("user") {
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|d| data.device_with_users(d))
            .collect();
        paging::link_response(call, &items, page.next.as_deref())
    } else {
        paging::link_response(call, &page.items, page.next.as_deref())
    }
}
