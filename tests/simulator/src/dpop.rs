//! DPoP proof verification (RFC 9449) as Okta does it: a `dpop+jwt` signed with the public
//! JWK in its own header, bound to the method and URL (query excluded), single-use, recent,
//! with the server nonce on token requests and the token hash (`ath`) on API calls.

use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::ThumbprintHash;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::replay::ReplayCache;

/// How old (by `iat`) a proof may be, and how long its `jti` is remembered.
const MAX_AGE: Duration = Duration::from_secs(300);
/// Tolerated clock skew for an `iat` in the future.
const MAX_SKEW: i64 = 60;

/// What the proof must be bound to.
pub(crate) struct Expected<'a> {
    pub method: &'a str,
    /// The request URL without query: `http://127.0.0.1:PORT/api/v1/users`.
    pub url: &'a str,
    /// API calls: the access token the proof must hash into `ath`.
    pub access_token: Option<&'a str>,
    /// Token requests: the current server nonce.
    pub nonce: Option<&'a str>,
    /// The org's clock, epoch seconds, that `iat` is judged by.
    pub now: i64,
}

#[derive(Debug)]
pub(crate) enum ProofError {
    Missing,
    /// The proof lacks the current nonce: answer `use_dpop_nonce` with a `DPoP-Nonce` header.
    UseNonce,
    Invalid(String),
}

/// Verifies a proof and returns the thumbprint of its key (the `jkt` a token binds to).
pub(crate) fn verify(
    proof: Option<&str>,
    expected: &Expected<'_>,
    replay: &ReplayCache,
) -> Result<String, ProofError> {
    let proof = proof.ok_or(ProofError::Missing)?;
    let invalid = |why: &str| ProofError::Invalid(why.to_owned());
    let header = jsonwebtoken::decode_header(proof)
        .map_err(|_| invalid("The DPoP proof JWT is malformed."))?;
    if header.typ.as_deref() != Some("dpop+jwt") {
        return Err(invalid(
            "The DPoP proof JWT header 'typ' must be 'dpop+jwt'.",
        ));
    }
    if !matches!(header.alg, Algorithm::ES256 | Algorithm::RS256) {
        return Err(invalid("The DPoP proof JWT 'alg' must be ES256 or RS256."));
    }
    let jwk = header
        .jwk
        .as_ref()
        .ok_or_else(|| invalid("The DPoP proof JWT header is missing the 'jwk'."))?;
    if raw_header_has_private_key(proof) {
        return Err(invalid(
            "The DPoP proof 'jwk' must not contain a private key.",
        ));
    }
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|_| invalid("The DPoP proof 'jwk' is not a usable public key."))?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
        .map_err(|_| invalid("The DPoP proof JWT signature is invalid."))?
        .claims;

    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    if claim("htm") != Some(expected.method) {
        return Err(invalid(
            "The DPoP proof 'htm' does not match the request method.",
        ));
    }
    if !same_url(claim("htu"), expected.url) {
        return Err(invalid(
            "The DPoP proof 'htu' does not match the request URL.",
        ));
    }
    let now = expected.now;
    let iat = claims.get("iat").and_then(Value::as_i64);
    if !iat.is_some_and(|iat| iat <= now + MAX_SKEW && iat >= now - MAX_AGE.as_secs() as i64) {
        return Err(invalid("The DPoP proof 'iat' is missing or not recent."));
    }
    if let Some(token) = expected.access_token {
        let hash = URL_SAFE_NO_PAD.encode(digest(&SHA256, token.as_bytes()));
        if claim("ath") != Some(hash.as_str()) {
            return Err(invalid(
                "The DPoP proof 'ath' does not match the access token.",
            ));
        }
    }
    if expected.nonce.is_some() && claim("nonce") != expected.nonce {
        return Err(ProofError::UseNonce);
    }
    let jti = claim("jti").ok_or_else(|| invalid("The DPoP proof is missing 'jti'."))?;
    if !replay.first_use(jti, MAX_AGE) {
        return Err(invalid("The DPoP proof 'jti' has already been used."));
    }
    jwk.thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| invalid("The DPoP proof 'jwk' has no thumbprint."))
}

/// A `jwk` with `d` (or RSA's private factors) would be a leaked private key.
fn raw_header_has_private_key(proof: &str) -> bool {
    let Some(header) = proof.split('.').next() else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    let Ok(header) = serde_json::from_slice::<Value>(&bytes) else {
        return false;
    };
    ["d", "p", "q"]
        .iter()
        .any(|k| header["jwk"].get(k).is_some())
}

/// Compares URLs the way a server does: parsed, without query or fragment.
fn same_url(htu: Option<&str>, expected: &str) -> bool {
    let parse = |s: &str| {
        url::Url::parse(s).ok().map(|mut u| {
            u.set_query(None);
            u.set_fragment(None);
            u
        })
    };
    match (htu.and_then(parse), parse(expected)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
