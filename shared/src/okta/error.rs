//! Okta's failures as typed errors, each saying what an operator should do about it.
//!
//! Classified from the status, Okta's error JSON (`errorCode`, `errorSummary`, `errorId`), the
//! OAuth error JSON of the token endpoint (`error`, `error_description`) and `WWW-Authenticate`.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// What Okta's error object adds for operators and Okta Support: its `errorId` (which Support
/// asks for) and the `errorSummary` of each of its `errorCauses` (which say what a 400 objects to).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    pub error_id: Option<String>,
    pub causes: Vec<String>,
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.causes.is_empty() {
            write!(f, "; causes: {}", self.causes.join("; "))?;
        }
        if let Some(id) = &self.error_id {
            write!(f, " [errorId {id}]")?;
        }
        Ok(())
    }
}

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
        "the admin role behind these credentials lacks permission ({code}: {summary}{detail}){rid}: assign a role that can read this resource (e.g. Read-Only Administrator)",
        rid = req_id(request_id)
    )]
    PermissionDenied {
        code: String,
        summary: String,
        detail: Box<ErrorDetail>,
        request_id: Option<String>,
    },
    #[error(
        "not available on this org ({code}: {summary}): the feature is off or needs Okta Identity Engine; nothing to fix unless you expect it"
    )]
    NotAvailable { code: String, summary: String },
    #[error("not found ({summary}{detail}){rid}", rid = req_id(request_id))]
    NotFound {
        summary: String,
        detail: Box<ErrorDetail>,
        request_id: Option<String>,
    },
    #[error(
        "gave up on Okta's {bucket} rate limit after {attempts} answers of 429 and {waited_secs} s of waiting in all: {}; the next run resumes",
        give_up_advice(*concurrency)
    )]
    RateLimited {
        /// The bucket the request counts against (see `bucket_of`).
        bucket: &'static str,
        attempts: u32,
        waited_secs: u64,
        /// The last refusal was Okta's concurrency limit, not the bucket's.
        concurrency: bool,
    },
    #[error(
        "Okta kept failing ({detail}) after {attempts} attempts{rid}: usually transient; the next run retries",
        rid = req_id(request_id)
    )]
    Transient {
        detail: String,
        /// The last answer's HTTP status, when there was an answer (not a timeout or reset).
        status: Option<u16>,
        attempts: u32,
        request_id: Option<String>,
    },
    #[error("stopped: the invocation's deadline is too near to wait {waited_for}")]
    Deadline { waited_for: String },
    #[error(
        "Okta answered HTTP {status} ({code}: {summary}{detail}){rid}",
        rid = req_id(request_id)
    )]
    Api {
        status: u16,
        code: String,
        summary: String,
        detail: Box<ErrorDetail>,
        request_id: Option<String>,
    },
    #[error(
        "{} ({error}: {description}){rid}: {}",
        refusal.what(),
        refusal.advice(),
        rid = req_id(request_id)
    )]
    TokenRefused {
        refusal: TokenRefusal,
        /// Okta's OAuth `error` and `error_description`.
        error: String,
        description: String,
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

/// Why the token endpoint refused this client, other than for a scope (which skips one
/// resource): each cause fails the tenant, and the Okta admin has something to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// `invalid_client`: Okta does not know the client id, or not with this secret or key.
    InvalidClient,
    /// `access_denied`: the request came from outside the app's permitted network zones
    /// (the oauth spec's 403 for `/oauth2/v1/token`).
    NetworkZone,
    /// `unauthorized_client`: the app may not use the client credentials grant.
    GrantType,
    /// `invalid_dpop_proof` (or nonce after nonce) once we send DPoP proofs: Okta refuses them.
    DpopProof,
}

impl TokenRefusal {
    /// The cause of an OAuth `error` from the token endpoint, for those that are one.
    pub(crate) fn of(error: &str) -> Option<Self> {
        match error {
            "invalid_client" => Some(Self::InvalidClient),
            "access_denied" => Some(Self::NetworkZone),
            "unauthorized_client" => Some(Self::GrantType),
            "invalid_dpop_proof" | "use_dpop_nonce" => Some(Self::DpopProof),
            _ => None,
        }
    }

    /// The stable label of summaries, metrics and the connection check.
    pub fn kind(self) -> &'static str {
        match self {
            Self::InvalidClient => "invalid_client",
            Self::NetworkZone => "network_zone",
            Self::GrantType => "grant_type_not_allowed",
            Self::DpopProof => "dpop_proof_refused",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::InvalidClient => "Okta does not accept this OAuth client's credentials",
            Self::NetworkZone => {
                "Okta refused a token because the request came from outside the network zones the app allows"
            }
            Self::GrantType => "Okta does not let this app use the client credentials grant",
            Self::DpopProof => "Okta refused our DPoP proofs",
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Self::InvalidClient => {
                "check client_id and client_secret in the tenant's secret, or for a private_key, register its public key (and key_id) on the app in Okta"
            }
            Self::NetworkZone => {
                "an Okta admin must add the runner's egress IP addresses (for Lambda, its NAT gateway's) to a network zone the app allows, or allow the app from any zone"
            }
            Self::GrantType => {
                "an Okta admin must allow the Client Credentials grant type on the app (API Services apps have it)"
            }
            Self::DpopProof => {
                "check the runner's clock (proofs carry the time) and that org_url is the URL Okta serves the org at; if it persists, an Okta admin can turn off the app's 'Require Demonstrating Proof of Possession (DPoP) header in token requests'"
            }
        }
    }
}

/// What to do about a request that gave up waiting for Okta's rate limits.
fn give_up_advice(concurrency: bool) -> &'static str {
    if concurrency {
        "Okta's concurrency limit (requests in flight at once, shared by every integration of the org) kept refusing; lower max_in_flight in the tenant's secret or run at a quieter time, and ask the Okta admin what else calls the org at once (System Log: core.concurrency.org.limit.violation)"
    } else {
        "the bucket stayed used up; lower rate_limit_fraction in the tenant's secret or run less often, and ask the Okta admin which integration uses the bucket (Reports, Rate Limits)"
    }
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

    /// True for errors that refuse one object for good rather than the whole resource: no
    /// permission on it (403 E0000006 outside a scoped role's resource set), not served although
    /// listed (404, 405: the built-in admins group), or a request Okta never accepts for it (400).
    pub fn refuses_the_object(&self) -> bool {
        matches!(
            self,
            OktaError::PermissionDenied { .. }
                | OktaError::NotFound { .. }
                | OktaError::Api {
                    status: 400 | 405,
                    ..
                }
        )
    }

    /// True for errors that mean no request of this tenant can succeed: the credentials are
    /// refused, the token endpoint refuses the client (for anything but a scope), the key is
    /// unusable, or the org cannot be reached (or resolves to an address we never send
    /// credentials to). A fan-out stops on these instead of trying every parent.
    pub fn is_tenant_wide(&self) -> bool {
        matches!(
            self,
            OktaError::InvalidCredentials { .. }
                | OktaError::TokenRefused { .. }
                | OktaError::TokenRequest { .. }
                | OktaError::BadKey(_)
                | OktaError::Unreachable(_)
                | OktaError::NonPublicAddress(_)
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
            OktaError::TokenRefused { refusal, .. } => refusal.kind(),
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
    #[serde(default)]
    pub error_id: Option<String>,
    #[serde(default)]
    pub error_causes: Vec<ErrorCause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorCause {
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
    let detail = Box::new(ErrorDetail {
        error_id: parsed.error_id,
        causes: parsed
            .error_causes
            .into_iter()
            .filter_map(|c| c.error_summary)
            .collect(),
    });
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
            detail,
            request_id,
        },
        (404, _) | (_, "E0000007") => OktaError::NotFound {
            summary,
            detail,
            request_id,
        },
        (status, _) => OktaError::Api {
            status,
            code,
            summary,
            detail,
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
    fn token_refusals_name_their_cause_and_only_a_scope_refusal_skips() {
        let refused = |error: &str| OktaError::TokenRefused {
            refusal: TokenRefusal::of(error).unwrap(),
            error: error.into(),
            description: "Okta's words".into(),
            request_id: Some("req-2".into()),
        };
        for (error, kind, change) in [
            ("invalid_client", "invalid_client", "client_secret"),
            ("access_denied", "network_zone", "egress IP addresses"),
            (
                "unauthorized_client",
                "grant_type_not_allowed",
                "Client Credentials",
            ),
            ("invalid_dpop_proof", "dpop_proof_refused", "clock"),
        ] {
            let e = refused(error);
            assert_eq!(e.kind(), kind);
            assert!(e.is_tenant_wide() && !e.is_skip(), "{e}");
            let text = e.to_string();
            for part in [error, "Okta's words", "req-2", change] {
                assert!(text.contains(part), "{part} in {text}");
            }
        }
        assert_eq!(TokenRefusal::of("invalid_scope"), None);
        let scope = OktaError::MissingScope {
            scope: "okta.users.read".into(),
        };
        assert!(scope.is_skip() && !scope.is_tenant_wide());
    }

    #[test]
    fn a_rate_limit_give_up_says_what_to_change() {
        let give_up = |concurrency| OktaError::RateLimited {
            bucket: "/api/v1/users",
            attempts: 9,
            waited_secs: 300,
            concurrency,
        };
        let e = give_up(true).to_string();
        assert!(
            e.contains("/api/v1/users") && e.contains("300 s") && e.contains("max_in_flight"),
            "{e}"
        );
        assert!(give_up(false).to_string().contains("rate_limit_fraction"));
        assert!(!give_up(false).is_tenant_wide());
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

    #[test]
    fn error_id_and_causes_are_kept_for_operators() {
        let body = br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: search","errorLink":"E0000001","errorId":"oaeAbC123","errorCauses":[{"errorSummary":"Invalid search criteria"},{"errorSummary":"Unknown attribute"}]}"#;
        let e = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
        let OktaError::Api { detail, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(detail.error_id.as_deref(), Some("oaeAbC123"));
        assert_eq!(
            detail.causes,
            ["Invalid search criteria", "Unknown attribute"]
        );
        let text = e.to_string();
        assert!(
            text.contains("causes: Invalid search criteria; Unknown attribute")
                && text.contains("[errorId oaeAbC123]"),
            "{text}"
        );
    }
}
