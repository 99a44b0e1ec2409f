//! Okta's failures as typed errors, each saying what an operator should do about it.
//!
//! Classified from the status, Okta's error JSON (`errorCode`, `errorSummary`, `errorId`), the
//! OAuth error JSON of the token endpoint (`error`, `error_description`) and `WWW-Authenticate`.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// One failure talking to a tenant's Okta org.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OktaError {
    #[error(
        "Okta rejected the credentials ({detail}){rid}: check that the token or client is active and not revoked, and update the tenant's secret",
        rid = req_id(request_id)
    )]
    InvalidCredentials {
        detail: String,
        request_id: Option<String>,
    },
    #[error(
        "scope {scope} is not granted to this client: grant it in Okta (Okta API Scopes tab of the app) or accept that this resource is skipped"
    )]
    MissingScope { scope: String },
    #[error(
        "the admin role behind these credentials lacks permission ({code}: {summary}){rid}: assign a role that can read this resource (e.g. Read-Only Administrator)",
        rid = req_id(request_id)
    )]
    PermissionDenied {
        code: String,
        summary: String,
        request_id: Option<String>,
    },
    #[error(
        "not available on this org ({code}: {summary}): the feature is off or needs Okta Identity Engine; nothing to fix unless you expect it"
    )]
    NotAvailable { code: String, summary: String },
    #[error("not found ({summary}){rid}", rid = req_id(request_id))]
    NotFound {
        summary: String,
        request_id: Option<String>,
    },
    #[error(
        "still rate limited after {attempts} attempts: lower this integration's share or run less often; the next run resumes"
    )]
    RateLimited { attempts: u32 },
    #[error(
        "Okta kept failing ({detail}) after {attempts} attempts{rid}: usually transient; the next run retries",
        rid = req_id(request_id)
    )]
    Transient {
        detail: String,
        attempts: u32,
        request_id: Option<String>,
    },
    #[error("stopped: the invocation's deadline is too near to wait {waited_for}")]
    Deadline { waited_for: String },
    #[error(
        "Okta answered HTTP {status} ({code}: {summary}){rid}",
        rid = req_id(request_id)
    )]
    Api {
        status: u16,
        code: String,
        summary: String,
        request_id: Option<String>,
    },
    #[error(
        "the OAuth token request failed ({error}: {description}): check the client's settings in Okta"
    )]
    TokenRequest { error: String, description: String },
    #[error(
        "a next link points to another origin ({origin}); refused, and no credential was sent there"
    )]
    ForeignOrigin { origin: String },
    #[error("Okta's response was not what the API promises: {0}")]
    Malformed(String),
    #[error(
        "cannot reach the org ({0}): check org_url, DNS and network egress (and SSL_CERT_FILE for a private CA)"
    )]
    Unreachable(String),
    #[error("the private key cannot be used: {0}")]
    BadKey(String),
    /// The org's name led only to loopback or private addresses (see `resolver`).
    #[error("{0}")]
    NonPublicAddress(String),
}

fn req_id(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" [X-Okta-Request-Id {id}]"))
        .unwrap_or_default()
}

impl OktaError {
    /// True for errors that mean "this resource cannot be read here" rather than "it broke":
    /// the resource is recorded as skipped, with this error as the reason. (A 404 on a whole
    /// listing means the org does not have it; children treat a 404 as a vanished parent.)
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            OktaError::MissingScope { .. }
                | OktaError::PermissionDenied { .. }
                | OktaError::NotAvailable { .. }
                | OktaError::NotFound { .. }
        )
    }

    /// A short stable label for summaries and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            OktaError::InvalidCredentials { .. } => "invalid_credentials",
            OktaError::MissingScope { .. } => "missing_scope",
            OktaError::PermissionDenied { .. } => "permission_denied",
            OktaError::NotAvailable { .. } => "not_available",
            OktaError::NotFound { .. } => "not_found",
            OktaError::RateLimited { .. } => "rate_limited",
            OktaError::Transient { .. } => "transient",
            OktaError::Deadline { .. } => "deadline",
            OktaError::Api { .. } => "api_error",
            OktaError::TokenRequest { .. } => "token_request",
            OktaError::ForeignOrigin { .. } => "foreign_origin",
            OktaError::Malformed(_) => "malformed_response",
            OktaError::Unreachable(_) => "unreachable",
            OktaError::BadKey(_) => "bad_key",
            OktaError::NonPublicAddress(_) => "non_public_address",
        }
    }
}

/// Okta's management error body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_summary: Option<String>,
}

/// The OAuth 2.0 error body of the token endpoint.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OAuthErrorBody {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// The parameters of a `WWW-Authenticate: Bearer|DPoP k="v", …` challenge.
pub(crate) fn www_authenticate_param(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|challenge| {
            challenge.split(',').find_map(|part| {
                let part = part.trim();
                // The first parameter follows the scheme name: `Bearer realm="…"`.
                let part = part
                    .split_once(' ')
                    .filter(|(scheme, _)| !scheme.contains('='))
                    .map_or(part, |(_, rest)| rest.trim());
                let (k, v) = part.split_once('=')?;
                (k.trim() == name).then(|| v.trim().trim_matches('"').to_owned())
            })
        })
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-okta-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Classifies a final (non-retried) error response of a management API call.
pub(crate) fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> OktaError {
    let request_id = request_id(headers);
    if www_authenticate_param(headers, "error").as_deref() == Some("insufficient_scope") {
        let scope = www_authenticate_param(headers, "scope").unwrap_or_else(|| "(unnamed)".into());
        return OktaError::MissingScope { scope };
    }
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let code = parsed.error_code.unwrap_or_default();
    let summary = parsed
        .error_summary
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
    match (status.as_u16(), code.as_str()) {
        // Okta answers "feature not enabled" with 401, so the code wins over the status here.
        (_, "E0000015") => OktaError::NotAvailable { code, summary },
        (401, _) | (_, "E0000011") | (_, "E0000004") => OktaError::InvalidCredentials {
            detail: if code.is_empty() {
                summary
            } else {
                format!("{code}: {summary}")
            },
            request_id,
        },
        (_, "E0000006") | (403, _) => OktaError::PermissionDenied {
            code,
            summary,
            request_id,
        },
        (404, _) | (_, "E0000007") => OktaError::NotFound {
            summary,
            request_id,
        },
        (status, _) => OktaError::Api {
            status,
            code,
            summary,
            request_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, WWW_AUTHENTICATE};

    fn headers(www: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(WWW_AUTHENTICATE, HeaderValue::from_str(www).unwrap());
        h.insert("x-okta-request-id", HeaderValue::from_static("req-1"));
        h
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let h = headers(
            r#"Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="https://acme.okta.com", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups""#,
        );
        let e = classify(StatusCode::FORBIDDEN, &h, b"");
        assert!(matches!(&e, OktaError::MissingScope { scope } if scope == "okta.groups.read"));
        assert!(e.is_skip());
        assert!(e.to_string().contains("okta.groups.read"));
    }

    #[test]
    fn okta_error_codes() {
        let h = headers(r#"Bearer error="invalid_token""#);
        let body =
            br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorId":"x"}"#;
        let e = classify(StatusCode::UNAUTHORIZED, &h, body);
        assert_eq!(e.kind(), "invalid_credentials");
        assert!(e.to_string().contains("req-1"));

        let body = br#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#;
        assert_eq!(
            classify(StatusCode::FORBIDDEN, &HeaderMap::new(), body).kind(),
            "permission_denied"
        );
        let body = br#"{"errorCode":"E0000015","errorSummary":"You do not have permission to access the feature you are requesting"}"#;
        assert_eq!(
            classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body).kind(),
            "not_available",
            "Okta sends feature-not-enabled as a 401"
        );
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).kind(),
            "not_available"
        );
        assert_eq!(
            classify(StatusCode::NOT_FOUND, &HeaderMap::new(), b"not json").kind(),
            "not_found"
        );
        let e = classify(
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: since"}"#,
        );
        assert!(matches!(e, OktaError::Api { status: 400, ref code, .. } if code == "E0000001"));
    }
}
