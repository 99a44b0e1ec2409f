//! Identity providers, network zones, the ThreatInsight setting and behavior rules.

use axum::response::Response;

use super::Call;
use crate::paging;
use crate::reply::json;

pub(crate) fn idps(call: &Call) -> Response {
    let limit = match paging::limit(call, 20, 200) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, &call.data.idps, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

/// The spec's default limit is "all"; a `limit` still pages.
pub(crate) fn zones(call: &Call) -> Response {
    let zones = &call.data.network_zones;
    let limit = match paging::limit(call, zones.len().max(1), zones.len().max(1)) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, zones, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn threat_insight(call: &Call) -> Response {
    json(&call.data.threat_insight)
}

pub(crate) fn behaviors(call: &Call) -> Response {
    json(&call.data.behaviors)
}
