//! `/api/v1/org`, its settings sub-resources and contacts, and `/api/v1/domains`.

use axum::response::Response;
use serde_json::json;

use super::Call;
use crate::reply::{json, not_found};

pub(crate) fn org(call: &Call) -> Response {
    json(&call.data.org)
}

/// Any of the small setting objects under `/api/v1/org`, by its path.
pub(crate) fn setting(call: &Call) -> Response {
    let key = call.path.trim_start_matches("/api/v1/org");
    match call.data.org_settings.get(key) {
        Some(setting) => json(setting),
        None => not_found(call.path),
    }
}

pub(crate) fn contacts(call: &Call) -> Response {
    json(&call.data.org_contacts)
}

pub(crate) fn domains(call: &Call) -> Response {
    json(&json!({ "domains": call.data.domains }))
}
