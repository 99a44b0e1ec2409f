//! A tenant's Okta credentials, parsed once where the secret is read: an API token, an OAuth
//! client secret, or a private key already turned into a signing key, so a key that cannot
//! sign is reported with the secret's other mistakes instead of when a client is built.
//!
//! `Debug` names the kind and the client id only; the token, the secret and the key never
//! appear.

use std::fmt;

use jsonwebtoken::{Algorithm, EncodingKey};
use secrecy::{ExposeSecret, SecretString};

/// How a tenant authenticates to its Okta org.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: SSWS <token>`: an admin's API token.
    ApiToken(SecretString),
    /// OAuth 2.0 client credentials with `client_secret_basic` (an "API Services Integration").
    ClientSecret {
        client_id: String,
        client_secret: SecretString,
    },
    /// OAuth 2.0 client credentials with `private_key_jwt`.
    PrivateKey {
        client_id: String,
        key: SigningKey,
        key_id: Option<String>,
    },
}

/// A private key that signs client assertions: RS256 for RSA keys, ES256 for P-256 keys.
#[derive(Clone)]
pub struct SigningKey {
    pub(super) key: EncodingKey,
    pub(super) algorithm: Algorithm,
}

impl SigningKey {
    /// Parses a PEM private key (PKCS#8 or PKCS#1 RSA, PKCS#8 or SEC1 P-256 EC). The error
    /// says what is wrong without a byte of the key.
    pub fn from_pem(pem: &SecretString) -> Result<Self, &'static str> {
        let pem = pem.expose_secret().as_bytes();
        EncodingKey::from_rsa_pem(pem)
            .map(|key| (key, Algorithm::RS256))
            .or_else(|_| EncodingKey::from_ec_pem(pem).map(|key| (key, Algorithm::ES256)))
            .map(|(key, algorithm)| Self { key, algorithm })
            .map_err(|_| "is not an RSA or P-256 EC private key in PEM form")
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken([REDACTED])"),
            Credentials::ClientSecret { client_id, .. } => write!(
                f,
                "ClientSecret {{ client_id: {client_id}, client_secret: [REDACTED] }}"
            ),
            Credentials::PrivateKey {
                client_id, key_id, ..
            } => write!(
                f,
                "PrivateKey {{ client_id: {client_id}, key_id: {key_id:?}, private_key: [REDACTED] }}"
            ),
        }
    }
}
