//! Responses as Okta shapes them: JSON bodies, the management API's error object
//! (`errorCode`, `errorSummary`, …) and the token endpoint's OAuth error object.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// A 200 with a JSON body.
pub(crate) fn json(body: &impl Serialize) -> Response {
    with_status(StatusCode::OK, body)
}

pub(crate) fn with_status(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).expect("JSON values serialize");
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Okta's error object. `errorCauses` holds the summary again when Okta would explain a
/// validation failure, else it is empty.
pub(crate) fn okta_error(status: StatusCode, code: &str, summary: &str) -> Response {
    let causes = if code == "E0000001" || code == "E0000031" || code == "E0000053" {
        vec![json!({ "errorSummary": summary })]
    } else {
        Vec::new()
    };
    with_status(
        status,
        &json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": format!("oae{}", random_chars(19)),
            "errorCauses": causes,
        }),
    )
}

/// 404 E0000007 for an id that doesn't exist.
pub(crate) fn not_found(what: &str) -> Response {
    okta_error(
        StatusCode::NOT_FOUND,
        "E0000007",
        &format!("Not found: Resource not found: {what} (ApiResource)"),
    )
}

/// 400 E0000001 naming the parameter that failed validation.
pub(crate) fn invalid_parameter(detail: &str) -> Response {
    okta_error(
        StatusCode::BAD_REQUEST,
        "E0000001",
        &format!("Api validation failed: {detail}"),
    )
}

/// An injected server error: Okta's internal-error object under any 5xx status.
pub(crate) fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    okta_error(status, "E0000009", "Internal Server Error")
}

/// 429 E0000047; the caller adds the rate-limit headers.
pub(crate) fn rate_limited() -> Response {
    okta_error(
        StatusCode::TOO_MANY_REQUESTS,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
    )
}

/// The token endpoint's error object: 401 for `invalid_client`, 403 for `access_denied` (a
/// network zone), 400 for the rest.
pub(crate) fn oauth_error(error: &str, description: &str) -> Response {
    let status = match error {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "access_denied" => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    with_status(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

/// Random base62 characters, for ids that need not be reproducible (request ids, tokens).
pub(crate) fn random_chars(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}
