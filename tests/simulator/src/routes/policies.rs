//! `/api/v1/policies?type=…` and policy rules. The `type` is required. On a Classic org the
//! Identity Engine types are refused with 400 E0000001, as a `type` value the org does not
//! know: the notes expect "a 400/401 such as E0000001/E0000015", and for a query parameter
//! Okta's validation error is the likelier of the two.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{Call, children};
use crate::config::Engine;
use crate::data::policies::TYPES;
use crate::paging;
use crate::reply::{invalid_parameter, okta_error};

pub(crate) fn list(call: &Call) -> Response {
    let Some(kind) = call.param("type") else {
        return okta_error(
            StatusCode::BAD_REQUEST,
            "E0000028",
            "The request is missing a required parameter.",
        );
    };
    let known = TYPES.iter().find(|(t, _)| *t == kind);
    match known {
        Some((_, true)) if call.org.config.engine == Engine::Classic => {
            return invalid_parameter(&format!("type: {kind} is not supported by this org"));
        }
        None => return invalid_parameter(&format!("type: {kind} is not a valid policy type")),
        Some(_) => {}
    }
    let status = call.param("status");
    let policies: Vec<&Value> = call
        .data
        .policies
        .iter()
        .filter(|p| p["type"] == kind && status.is_none_or(|s| p["status"] == s))
        .collect();
    paging::link_response(call, &policies, None)
}

pub(crate) fn rules(call: &Call) -> Response {
    let rules = call.data.policy_rules.get(call.id());
    children(call, rules.is_some(), rules)
}
