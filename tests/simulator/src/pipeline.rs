//! The life of one request, in Okta's order: count it, hold it against the org's concurrency
//! limit, apply latency and injected faults, charge its rate-limit bucket, authenticate, check the scope, handle; then stamp the
//! headers every Okta response carries (`X-Okta-Request-Id`, `Date`, `X-Rate-Limit-*`).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use crate::auth;
use crate::faults::Failure;
use crate::rate_limit::{Bucket, Quota};
use crate::reply::{not_found, okta_error, random_chars, rate_limited, server_error};
use crate::routes::{self, Call};
use crate::state::OrgState;
use crate::token_endpoint;

const TOKEN_PATH: &str = "/oauth2/v1/token";
/// Larger request bodies are refused; token requests are a few KB.
const MAX_BODY: usize = 1 << 20;

pub(crate) async fn handle(State(org): State<Arc<OrgState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let route = routes::find(path);
    org.stats
        .request(route.as_ref().map_or(path, |(r, _)| r.template));
    let bucket = Bucket::for_path(path);
    // A request over the org's concurrency limit is refused before anything else, and fast.
    let serving = org.concurrency.enter();
    if serving.is_none() || org.faults.concurrency_refusal(path) {
        org.stats.concurrency_limited();
        org.stats.response(StatusCode::TOO_MANY_REQUESTS.as_u16());
        let estimate = Quota::concurrency(org.limiter.window_end(bucket));
        return stamp(rate_limited(), estimate);
    }
    if !org.config.latency.is_zero() {
        tokio::time::sleep(org.config.latency).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();

    // Then a bucket over its limit refuses, then things may go wrong.
    let (response, quota) = if let Some(reset_after) = org.faults.rate_limit(path) {
        let quota = Quota::exhausted_for(org.limiter.limit(bucket), reset_after);
        (rate_limited(), quota)
    } else {
        match org.limiter.take(bucket) {
            Err(quota) => (rate_limited(), quota),
            Ok(quota) => match org.faults.failure(path) {
                Some(Failure::Status(status)) => (server_error(status), quota),
                Some(Failure::Drop) => (broken_response(), quota),
                Some(Failure::Truncate) => {
                    (truncated(respond(&org, &parts, route, &body)).await, quota)
                }
                None => (respond(&org, &parts, route, &body), quota),
            },
        }
    };
    org.stats.response(response.status().as_u16());
    stamp(response, quota)
}

fn respond(
    org: &OrgState,
    parts: &Parts,
    route: Option<(&'static routes::Route, Vec<&str>)>,
    body: &Bytes,
) -> Response {
    let path = parts.uri.path();
    if path == TOKEN_PATH {
        return if parts.method == Method::POST {
            token_endpoint::token(org, &parts.headers, body)
        } else {
            method_not_allowed()
        };
    }
    let Some((route, ids)) = route else {
        return not_found(path);
    };
    if parts.method != Method::GET {
        return method_not_allowed();
    }
    let caller = match auth::authenticate(org, parts.method.as_str(), path, &parts.headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    if let Err(refusal) = auth::authorize(org, &caller, route.scope, path) {
        return refusal;
    }
    let call = Call {
        org,
        data: org.data(),
        path,
        ids,
        raw_query: parts.uri.query(),
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
    };
    (route.handler)(&call)
}

fn method_not_allowed() -> Response {
    okta_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
    )
}

/// A response that breaks off: it promises a long body, sends a little, then fails, and the
/// server closes the connection mid-message.
fn broken_response() -> Response {
    let chunks: [Result<Bytes, std::io::Error>; 2] = [
        Ok(Bytes::from_static(b"[{\"id\":\"00u")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("65536"));
    response
}

/// `response` with its body cut to half its length: a 200 that looks whole to HTTP.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

/// Adds the headers every Okta response carries.
fn stamp(mut response: Response, quota: Quota) -> Response {
    let headers = response.headers_mut();
    let number = |n: u64| HeaderValue::from(n);
    headers.insert("x-rate-limit-limit", number(quota.limit.into()));
    headers.insert("x-rate-limit-remaining", number(quota.remaining.into()));
    headers.insert("x-rate-limit-reset", number(quota.reset));
    let request_id = HeaderValue::from_str(&random_chars(27)).expect("alphanumeric");
    headers.insert("x-okta-request-id", request_id);
    // Our own clock, rounded down to the second: `Reset` is rounded up against it.
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    headers.insert(
        header::DATE,
        HeaderValue::from_str(&date).expect("ASCII date"),
    );
    response
}
