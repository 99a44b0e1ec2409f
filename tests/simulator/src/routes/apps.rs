//! `/api/v1/apps` and the per-app `users`, `groups` and `grants`.

use axum::response::Response;

use super::{Call, children};
use crate::data::find;
use crate::paging;
use crate::reply::not_found;

pub(crate) fn list(call: &Call) -> Response {
    let limit = match paging::limit(call, 20, 200) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, &call.data.apps, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn users(call: &Call) -> Response {
    let Some(users) = call.data.app_users.get(call.id()) else {
        return not_found(call.id());
    };
    let limit = match paging::limit(call, 50, 500) {
        Ok(limit) => limit,
        Err(response) => return response,
    };
    let page = paging::page(call, users, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

pub(crate) fn groups(call: &Call) -> Response {
    let Some(groups) = call.data.app_groups.get(call.id()) else {
        return not_found(call.id());
    };
    // Okta's minimum is also 20.
    let limit = match paging::limit(call, 20, 200) {
        Ok(limit) => limit.max(20),
        Err(response) => return response,
    };
    let page = paging::page(call, groups, limit, |_| true);
    paging::link_response(call, &page.items, page.next.as_deref())
}

/// Not paged; apps that are no OAuth clients have none.
pub(crate) fn grants(call: &Call) -> Response {
    let data = &call.data;
    let exists = find(&data.apps, call.id()).is_some();
    children(call, exists, data.app_grants.get(call.id()))
}
