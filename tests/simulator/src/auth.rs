//! Who calls a management endpoint, and whether they may: `SSWS` API tokens (judged by the
//! admin's permissions), `Bearer` tokens and DPoP-bound tokens with their proofs (judged by
//! scopes), and the refusals Okta sends for each.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::access_tokens::Grant;
use crate::dpop::{self, ProofError};
use crate::reply::okta_error;
use crate::state::OrgState;

pub(crate) enum Caller {
    ApiToken,
    /// An OAuth access token; `dpop` when it is bound to a key (scheme `DPoP`).
    Token {
        scopes: Vec<String>,
        dpop: bool,
    },
}

/// The caller of a request to `path`, or the 401 to answer.
pub(crate) fn authenticate(
    org: &OrgState,
    method: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<Caller, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (scheme, credential) = authorization.split_once(' ').unwrap_or(("", ""));
    let credential = credential.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "ssws" if credential == org.config.api_token && !org.faults.api_token_revoked() => {
            Ok(Caller::ApiToken)
        }
        "bearer" => match grant(org, credential) {
            Some(Grant { jkt: Some(_), .. }) => Err(dpop_refusal(
                org,
                "The DPoP-bound access token must be presented with the DPoP scheme and a DPoP proof.",
            )),
            Some(grant) => Ok(Caller::Token {
                scopes: grant.scopes,
                dpop: false,
            }),
            None => Err(invalid_token(org)),
        },
        "dpop" => {
            let Some(grant) = grant(org, credential) else {
                return Err(invalid_token(org));
            };
            let Some(jkt) = &grant.jkt else {
                return Err(invalid_token(org));
            };
            let url = format!("{}{path}", org.url);
            let expected = dpop::Expected {
                method,
                url: &url,
                access_token: Some(credential),
                nonce: None,
                now: org.dpop_clock(),
            };
            let proof = headers.get("dpop").and_then(|v| v.to_str().ok());
            match dpop::verify(proof, &expected, &org.replay) {
                Ok(thumbprint) if &thumbprint == jkt => Ok(Caller::Token {
                    scopes: grant.scopes,
                    dpop: true,
                }),
                Ok(_) => Err(dpop_refusal(
                    org,
                    "The DPoP proof key does not match the access token binding.",
                )),
                Err(ProofError::Missing) => {
                    Err(dpop_refusal(org, "The DPoP proof JWT header is missing."))
                }
                Err(ProofError::UseNonce) => {
                    Err(dpop_refusal(org, "The DPoP proof nonce is invalid."))
                }
                Err(ProofError::Invalid(why)) => Err(dpop_refusal(org, &why)),
            }
        }
        _ => Err(invalid_token(org)),
    }
}

/// Whether `caller` may use an endpoint guarded by `scope`, else the 403 to answer.
pub(crate) fn authorize(
    org: &OrgState,
    caller: &Caller,
    scope: &str,
    path: &str,
) -> Result<(), Response> {
    match caller {
        Caller::ApiToken
            if org
                .config
                .api_token_denied_scopes
                .iter()
                .any(|s| s == scope) =>
        {
            Err(okta_error(
                StatusCode::FORBIDDEN,
                "E0000006",
                "You do not have permission to perform the requested action",
            ))
        }
        Caller::ApiToken => Ok(()),
        Caller::Token { scopes, .. } if scopes.iter().any(|s| s == scope) => Ok(()),
        // Okta's answer to a missing scope: no body, only the challenge.
        Caller::Token { dpop, .. } => {
            let scheme = if *dpop { "DPoP" } else { "Bearer" };
            let challenge = format!(
                "{scheme} authorization_uri=\"{url}/oauth2/v1/authorize\", realm=\"{url}\", \
                 scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access \
                 token provided does not contain the required scopes.\", resource=\"{path}\"",
                url = org.url,
            );
            Err(challenged(
                StatusCode::FORBIDDEN.into_response(),
                &challenge,
            ))
        }
    }
}

fn grant(org: &OrgState, token: &str) -> Option<Grant> {
    org.access_tokens
        .valid(token, org.faults.token_generation())
}

/// 401 E0000011 with the Bearer `invalid_token` challenge.
fn invalid_token(org: &OrgState) -> Response {
    let challenge = format!(
        "Bearer authorization_uri=\"{url}/oauth2/v1/authorize\", realm=\"{url}\", \
         error=\"invalid_token\", error_description=\"The access token is invalid.\"",
        url = org.url,
    );
    challenged(
        okta_error(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        ),
        &challenge,
    )
}

/// 401 with the DPoP `invalid_dpop_proof` challenge.
fn dpop_refusal(org: &OrgState, description: &str) -> Response {
    let challenge = format!(
        "DPoP algs=\"ES256 RS256\", realm=\"{url}\", error=\"invalid_dpop_proof\", \
         error_description=\"{description}\"",
        url = org.url,
    );
    challenged(
        okta_error(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        ),
        &challenge,
    )
}

fn challenged(mut response: Response, challenge: &str) -> Response {
    let value = HeaderValue::from_str(challenge).expect("challenges are header-safe");
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, value);
    response
}
