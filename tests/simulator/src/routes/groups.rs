//! `/api/v1/groups` (with `expand=stats`), group members, group rules and group roles.

use axum::response::Response;
use serde_json::Value;

use axum::http::StatusCode;

use super::{Call, children};
use crate::data::find;
use crate::filter::Filter;
use crate::paging;
use crate::reply::{not_found, okta_error, server_error};

pub(crate) fn list(call: &Call) -> Response {
    let data = &call.data;
    // Okta's legacy default and maximum; clients should ask for 200.
    let limit = match paging::limit(call, 10_000, 10_000) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let filter = match call.param("filter").map(|text| {
        Filter::parse(
            text,
            &["id", "type", "lastUpdated", "lastMembershipUpdated"],
            &["lastUpdated", "lastMembershipUpdated"],
        )
    }) {
        None => None,
        Some(Ok(filter)) => Some(filter),
        Some(Err(e)) => {
            return okta_error(
                StatusCode::BAD_REQUEST,
                "E0000031",
                &format!("Invalid filter: {e}"),
            );
        }
    };
    let page = paging::page(call, &data.groups, limit, |g| {
        filter.as_ref().is_none_or(|f| f.accepts(g))
    });
    let with_stats = call
        .param("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "stats"));
    if with_stats {
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|g| data.group_with_stats(g))
            .collect();
        paging::link_response(call, &items, page.next.as_deref())
    } else {
        paging::link_response(call, &page.items, page.next.as_deref())
    }
}

/// Member users, as full User objects; default and maximum page 1000. The built-in "Okta
/// Administrators" group and groups outside a scoped admin's resource set are refused, and big
/// pages of big groups may time out (see [`crate::SimConfig`]).
pub(crate) fn members(call: &Call) -> Response {
    let data = &call.data;
    let Some(member_ids) = data.group_members.get(call.id()) else {
        return not_found(call.id());
    };
    if !data.serves_members(call.id()) || data.groups_outside_admin_scope.contains(call.id()) {
        return no_permission();
    }
    let limit = match paging::limit(call, 1_000, 1_000) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    if let Some(most) = call.org.config.member_page_timeout_above
        && limit > most
        && member_ids.len() > most
    {
        return server_error(500);
    }
    let start = match call.param("after") {
        Some(after) => member_ids.partition_point(|id| id.as_str() <= after),
        None => 0,
    };
    let mut users: Vec<&Value> = member_ids[start..]
        .iter()
        .take(limit + 1)
        .filter_map(|id| data.user(id))
        .collect();
    let next = (users.len() > limit).then(|| {
        users.truncate(limit);
        users[limit - 1]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    paging::link_response(call, &users, next.as_deref())
}

pub(crate) fn rules(call: &Call) -> Response {
    let limit = match paging::limit(call, 50, 200) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, &call.data.group_rules, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn roles(call: &Call) -> Response {
    let data = &call.data;
    if data.groups_outside_admin_scope.contains(call.id()) {
        return no_permission();
    }
    let exists = find(&data.groups, call.id()).is_some();
    let roles = data
        .group_roles
        .get(call.id())
        .map(|roles| super::with_targets(call, roles));
    children(call, exists, roles.as_ref())
}

fn no_permission() -> Response {
    okta_error(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
}
