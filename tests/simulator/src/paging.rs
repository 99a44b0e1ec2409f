//! Okta's cursor paging over id-sorted lists: `limit` (clamped to the endpoint's maximum) and
//! an opaque `after` cursor, announced either in `Link` headers (most endpoints) or in the
//! body's `_links.next.href` (the `/api/v1/iam/*` lists).

use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::reply::{invalid_parameter, json};
use crate::routes::Call;

/// One page: the items and, if more follow, the cursor of the next page.
pub(crate) struct Page<'a> {
    pub items: Vec<&'a Value>,
    pub next: Option<String>,
}

/// The `limit` parameter: absent or below 1 gives `default`, above `max` clamps to `max`
/// (as Okta does), non-numeric is a validation error.
pub(crate) fn limit(call: &Call, default: usize, max: usize) -> Result<usize, Response> {
    match call.param("limit") {
        None => Ok(default),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n < 1 => Ok(default),
            Ok(n) => Ok((n as usize).min(max)),
            Err(_) => Err(invalid_parameter("limit: must be a number")),
        },
    }
}

/// The items of `sorted` (by `id`) that pass `keep`, after the request's cursor, up to `limit`.
pub(crate) fn page<'a>(
    call: &Call,
    sorted: &'a [Value],
    limit: usize,
    keep: impl Fn(&Value) -> bool,
) -> Page<'a> {
    let start = match call.param("after") {
        Some(after) => sorted.partition_point(|v| id(v) <= after),
        None => 0,
    };
    let mut items: Vec<&Value> = sorted[start..]
        .iter()
        .filter(|v| keep(v))
        .take(limit + 1)
        .collect();
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        id(items[limit - 1]).to_owned()
    });
    Page { items, next }
}

/// A JSON array with `Link` headers: `self`, and `next` when the page has a successor.
pub(crate) fn link_response(
    call: &Call,
    items: &[impl serde::Serialize],
    next: Option<&str>,
) -> Response {
    links_response(call, items, next.map(|after| next_url(call, after, &[])))
}

/// A JSON array with a `self` link and, if given, this `next` URL.
pub(crate) fn links_response(
    call: &Call,
    items: &[impl serde::Serialize],
    next_url: Option<String>,
) -> Response {
    let mut response = json(&items);
    let headers = response.headers_mut();
    let self_link = format!("<{}>; rel=\"self\"", call.self_url());
    headers.append(header::LINK, header_value(&self_link));
    let next_url = match next_url {
        Some(_) if call.org.faults.looping_link(call.path) => Some(call.self_url()),
        next_url => next_url,
    };
    if let Some(next_url) = next_url {
        let next_link = format!("<{next_url}>; rel=\"next\"");
        headers.append(header::LINK, header_value(&next_link));
    }
    response
}

/// `{"<field>": [...], "_links": {"self": …, "next": …}}`: the next link in the body.
pub(crate) fn body_response(
    call: &Call,
    field: &str,
    items: &[impl serde::Serialize],
    next: Option<&str>,
) -> Response {
    let mut links = json!({ "self": { "href": call.self_url() } });
    if let Some(after) = next {
        links["next"] = json!({ "href": next_url(call, after, &[]) });
    }
    json(&json!({ field: items, "_links": links }))
}

/// The request's URL with `after` set to the cursor and the `dropped` parameters removed: on
/// the org's origin, or on the foreign origin when a fault says so.
pub(crate) fn next_url(call: &Call, after: &str, dropped: &[&str]) -> String {
    let origin = if call.org.faults.foreign_link(call.path) {
        &call.org.foreign_url
    } else {
        &call.org.url
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let kept = call
        .query
        .iter()
        .filter(|(name, _)| name != "after" && !dropped.contains(&name.as_str()));
    for (name, value) in kept {
        query.append_pair(name, value);
    }
    query.append_pair("after", after);
    format!("{origin}{}?{}", call.path, query.finish())
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap_or_default()
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("URLs are header-safe")
}
