//! DPoP (RFC 9449) proofs: an ephemeral P-256 key per tenant client, a signed JWT per request.
//!
//! Okta asks for DPoP on the token call (`invalid_dpop_proof`), then for a server nonce
//! (`use_dpop_nonce` with a `DPoP-Nonce` header). Tokens it then issues are bound to this key,
//! so every API call carries a fresh proof with the token's hash (`ath`).

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::json;
use url::Url;

use super::error::OktaError;

/// The key that proves possession of DPoP-bound tokens.
pub struct DpopKey {
    key: EcdsaKeyPair,
    jwk: serde_json::Value,
    rng: SystemRandom,
}

impl DpopKey {
    pub fn generate() -> Result<Self, OktaError> {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| OktaError::BadKey("could not generate a DPoP key".into()))?;
        // An uncompressed P-256 point: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
        let point = key.public_key().as_ref();
        let jwk = json!({
            "kty": "EC",
            "crv": "P-256",
            "x": B64.encode(&point[1..33]),
            "y": B64.encode(&point[33..65]),
        });
        Ok(Self {
            key,
            jwk,
            rng: SystemRandom::new(),
        })
    }

    /// A proof for one request. `htu` drops the query, as Okta (and the Java SDK) expect;
    /// `access_token` adds `ath` for API calls; `nonce` is the server's latest.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<String, OktaError> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk});
        let mut claims = json!({
            "htm": method,
            "htu": htu.as_str(),
            "iat": chrono::Utc::now().timestamp(),
            "jti": random_id(),
        });
        if let Some(token) = access_token {
            claims["ath"] = B64.encode(digest(&SHA256, token.as_bytes())).into();
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| OktaError::BadKey("could not sign a DPoP proof".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            B64.encode(signature.as_ref())
        ))
    }
}

/// 128 random bits, hex: for `jti` claims.
pub fn random_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn proof_is_a_verifiable_es256_jwt_without_the_query() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://acme.okta.com/api/v1/users?limit=200&after=x").unwrap();
        let proof = key.proof("GET", &url, Some("tok"), Some("n1")).unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(claims["htu"], "https://acme.okta.com/api/v1/users");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["nonce"], "n1");
        assert_eq!(claims["ath"], B64.encode(digest(&SHA256, b"tok")));
        let x = B64.decode(header["jwk"]["x"].as_str().unwrap()).unwrap();
        let y = B64.decode(header["jwk"]["y"].as_str().unwrap()).unwrap();
        let point = [&[4u8][..], &x, &y].concat();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &B64.decode(parts[2]).unwrap(),
            )
            .expect("signature verifies with the header's key");
    }
}
