//! A tenant's configuration: the secret's JSON schema, validated once at the edge.
//!
//! The secret is parsed by hand from a `serde_json::Value` rather than derived, because serde's
//! own messages quote the offending value (`invalid type: string "hunter2"`); ours name the field
//! and never the value. Credential strings move straight into [`SecretString`], which cannot be
//! printed.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use crate::okta::{Credentials, OrgUrl, OrgUrlError, SigningKey};
use crate::pii::{DEFAULT_DROP, PiiPolicy};

/// A tenant id: lowercase letters, digits and hyphens (it becomes part of S3 keys and secret names).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(ConfigError::field(
                "tenant",
                "must be 1-64 lowercase letters, digits and hyphens, not starting with a hyphen",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> String {
        id.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = ConfigError;

    fn try_from(id: String) -> Result<Self, ConfigError> {
        TenantId::parse(&id)
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({})", self.0)
    }
}

/// What is wrong with a tenant's configuration: the field and the rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ConfigError {
    pub field: String,
    pub reason: String,
}

impl ConfigError {
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Per-tenant knobs, all optional in the secret.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantSettings {
    /// Share of each Okta rate-limit bucket this integration may use (0 < f ≤ 1).
    pub rate_limit_fraction: f64,
    /// Requests in flight at once for fan-out calls (a user's factors, a group's members, …).
    pub max_in_flight: usize,
    /// How far back the first System Log run starts, in days (≤ 90, Okta's retention).
    pub log_lookback_days: u32,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            rate_limit_fraction: 0.5,
            max_in_flight: 4,
            log_lookback_days: 7,
        }
    }
}

/// A validated tenant: org, credentials and settings.
#[derive(Debug)]
pub struct TenantConfig {
    pub id: TenantId,
    pub org_url: OrgUrl,
    pub auth: Credentials,
    pub settings: TenantSettings,
    /// Fields to drop or hash before anything is written (`None`: records pass unchanged).
    pub pii: Option<PiiPolicy>,
}

impl TenantConfig {
    /// Parses and validates a secret's JSON value (the schema is in the README).
    pub fn from_secret_json(
        id: TenantId,
        json: &str,
        allow_http_loopback: bool,
    ) -> Result<Self, ConfigError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's syntax errors carry only a position, never the text around it.
            ConfigError::field(
                "(secret)",
                format!(
                    "is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let Value::Object(mut top) = value else {
            return Err(ConfigError::field("(secret)", "must be a JSON object"));
        };
        let org_url = take_string(&mut top, "", "org_url")?
            .ok_or_else(|| ConfigError::field("org_url", "is required"))?;
        let org_url = OrgUrl::parse(&org_url, allow_http_loopback)
            .map_err(|e: OrgUrlError| ConfigError::field("org_url", e.to_string()))?;
        let auth = match top.remove("auth") {
            Some(Value::Object(auth)) => parse_auth(auth)?,
            Some(_) => return Err(ConfigError::field("auth", "must be an object")),
            None => return Err(ConfigError::field("auth", "is required")),
        };
        let settings = parse_settings(&mut top)?;
        let pii = match top.remove("pii") {
            None | Some(Value::Null) => None,
            Some(Value::Object(pii)) => Some(parse_pii(pii)?),
            Some(_) => return Err(ConfigError::field("pii", "must be an object")),
        };
        reject_unknown(&top, "")?;
        Ok(Self {
            id,
            org_url,
            auth,
            settings,
            pii,
        })
    }
}

fn parse_auth(mut auth: Map<String, Value>) -> Result<Credentials, ConfigError> {
    let kind = take_string(&mut auth, "auth.", "type")?
        .ok_or_else(|| ConfigError::field("auth.type", "is required: \"ssws\" or \"oauth2\""))?;
    let parsed = match kind.as_str() {
        "ssws" => {
            let token = take_secret(&mut auth, "token")?
                .ok_or_else(|| ConfigError::field("auth.token", "is required for type ssws"))?;
            Credentials::ApiToken(token)
        }
        "oauth2" => {
            let client_id = take_string(&mut auth, "auth.", "client_id")?
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| {
                    ConfigError::field("auth.client_id", "is required for type oauth2")
                })?;
            let client_secret = take_secret(&mut auth, "client_secret")?;
            let private_key = take_secret(&mut auth, "private_key")?;
            let key_id = take_string(&mut auth, "auth.", "key_id")?;
            match (client_secret, private_key) {
                (Some(client_secret), None) => {
                    if key_id.is_some() {
                        return Err(ConfigError::field(
                            "auth.key_id",
                            "goes with private_key, not with client_secret",
                        ));
                    }
                    Credentials::ClientSecret {
                        client_id,
                        client_secret,
                    }
                }
                (None, Some(private_key)) => Credentials::PrivateKey {
                    client_id,
                    key: SigningKey::from_pem(&private_key)
                        .map_err(|reason| ConfigError::field("auth.private_key", reason))?,
                    key_id,
                },
                (Some(_), Some(_)) => {
                    return Err(ConfigError::field(
                        "auth",
                        "has both client_secret and private_key; keep exactly one",
                    ));
                }
                (None, None) => {
                    return Err(ConfigError::field(
                        "auth",
                        "type oauth2 needs client_secret or private_key",
                    ));
                }
            }
        }
        _ => {
            return Err(ConfigError::field(
                "auth.type",
                "must be \"ssws\" or \"oauth2\"",
            ));
        }
    };
    reject_unknown(&auth, "auth.")?;
    Ok(parsed)
}

/// `{"drop": [paths], "hash": [paths], "hash_key": "…"}`; `{}` drops [`DEFAULT_DROP`].
fn parse_pii(mut pii: Map<String, Value>) -> Result<PiiPolicy, ConfigError> {
    let mut paths = |key: &str| -> Result<Option<Vec<String>>, ConfigError> {
        match pii.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) if !s.is_empty() => Ok(s),
                    _ => Err(ConfigError::field(
                        &format!("pii.{key}"),
                        "must be a list of field paths like \"profile.mobilePhone\"",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ConfigError::field(&format!("pii.{key}"), "must be a list")),
        }
    };
    let drop = paths("drop")?;
    let hash = paths("hash")?.unwrap_or_default();
    let drop = drop.unwrap_or_else(|| {
        if hash.is_empty() {
            DEFAULT_DROP.iter().map(|s| (*s).to_owned()).collect()
        } else {
            Vec::new()
        }
    });
    let key = match pii.remove("hash_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) if k.len() >= 16 => Some(SecretString::from(k)),
        Some(_) => {
            return Err(ConfigError::field(
                "pii.hash_key",
                "must be a string of at least 16 characters",
            ));
        }
    };
    if !hash.is_empty() && key.is_none() {
        return Err(ConfigError::field(
            "pii.hash_key",
            "is required when pii.hash names fields (it keys the HMAC)",
        ));
    }
    reject_unknown(&pii, "pii.")?;
    Ok(PiiPolicy::new(
        drop,
        hash,
        key.as_ref().map(|k| k.expose_secret().as_bytes()),
    ))
}

fn parse_settings(top: &mut Map<String, Value>) -> Result<TenantSettings, ConfigError> {
    let mut settings = TenantSettings::default();
    if let Some(f) = take_number(top, "rate_limit_fraction")? {
        if !(f > 0.0 && f <= 1.0) {
            return Err(ConfigError::field(
                "rate_limit_fraction",
                "must be greater than 0 and at most 1",
            ));
        }
        settings.rate_limit_fraction = f;
    }
    if let Some(n) = take_number(top, "max_in_flight")? {
        if !((1.0..=16.0).contains(&n) && n.fract() == 0.0) {
            return Err(ConfigError::field(
                "max_in_flight",
                "must be a whole number from 1 to 16",
            ));
        }
        settings.max_in_flight = n as usize;
    }
    if let Some(n) = take_number(top, "log_lookback_days")? {
        if !((1.0..=90.0).contains(&n) && n.fract() == 0.0) {
            return Err(ConfigError::field(
                "log_lookback_days",
                "must be a whole number from 1 to 90 (Okta keeps 90 days)",
            ));
        }
        settings.log_lookback_days = n as u32;
    }
    Ok(settings)
}

fn take_string(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<String>, ConfigError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ConfigError::field(
            &format!("{prefix}{key}"),
            "must be a string",
        )),
    }
}

/// Moves a credential string out of the parsed JSON into a [`SecretString`] without copying it.
fn take_secret(
    auth: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<SecretString>, ConfigError> {
    match take_string(auth, "auth.", key)? {
        Some(s) if s.trim().is_empty() => {
            Err(ConfigError::field(&format!("auth.{key}"), "is empty"))
        }
        Some(s) => Ok(Some(SecretString::from(s))),
        None => Ok(None),
    }
}

fn take_number(map: &mut Map<String, Value>, key: &str) -> Result<Option<f64>, ConfigError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(ConfigError::field(key, "must be a number")),
    }
}

fn reject_unknown(map: &Map<String, Value>, prefix: &str) -> Result<(), ConfigError> {
    match map.keys().next() {
        Some(key) => Err(ConfigError::field(
            &format!("{prefix}{key}"),
            "is not a known setting (see the secret schema in the README)",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<TenantConfig, ConfigError> {
        TenantConfig::from_secret_json(TenantId::parse("acme").unwrap(), json, false)
    }

    #[test]
    fn tenant_ids() {
        for ok in ["acme", "a", "acme-eu-1", "0x"] {
            assert!(TenantId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Acme", "acme_eu", "-acme", "acme/x", &"a".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_each_auth_form() {
        let c =
            parse(r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"00abc"}}"#)
                .unwrap();
        assert!(matches!(&c.auth, Credentials::ApiToken(t) if t.expose_secret() == "00abc"));
        assert_eq!(c.settings, TenantSettings::default());

        let c = parse(
            r#"{"org_url":"https://acme.okta.com/","auth":{"type":"oauth2","client_id":"0oa1","client_secret":"s3cr3t"},
                "rate_limit_fraction":0.3,"max_in_flight":8,"log_lookback_days":30}"#,
        )
        .unwrap();
        assert!(
            matches!(&c.auth, Credentials::ClientSecret { client_id, .. } if client_id == "0oa1")
        );
        assert_eq!(c.settings.rate_limit_fraction, 0.3);
        assert_eq!(c.settings.max_in_flight, 8);
        assert_eq!(c.settings.log_lookback_days, 30);

        let secret = serde_json::json!({
            "org_url": "https://acme.okta.com",
            "auth": {"type": "oauth2", "client_id": "0oa1", "private_key": p256_pem(), "key_id": "k1"},
        });
        let c = parse(&secret.to_string()).unwrap();
        assert!(matches!(&c.auth, Credentials::PrivateKey { key_id: Some(k), .. } if k == "k1"));
    }

    /// A fresh P-256 private key in PKCS#8 PEM.
    fn p256_pem() -> String {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        use base64::Engine as _;
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let der = key.to_pkcs8v1().unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn a_private_key_that_cannot_sign_is_refused_with_the_secret() {
        let secret = r#"{"org_url":"https://acme.okta.com","auth":{"type":"oauth2","client_id":"0oa1","private_key":"-----BEGIN PRIVATE KEY-----tok-SECRET"}}"#;
        let e = parse(secret).unwrap_err();
        assert_eq!(e.field, "auth.private_key");
        assert!(e.to_string().contains("PEM"), "{e}");
        assert!(!e.to_string().contains("tok-SECRET"), "{e}");
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let cases = [
            (r#"{"org_url":"https://acme.okta.com"}"#, "auth"),
            (
                r#"{"auth":{"type":"ssws","token":"tok-SECRET"}}"#,
                "org_url",
            ),
            (
                r#"{"org_url":"http://acme.okta.com","auth":{"type":"ssws","token":"tok-SECRET"}}"#,
                "org_url",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":12345}}"#,
                "auth.token",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"oauth2","client_id":"x","client_secret":"tok-SECRET","private_key":"tok-SECRET"}}"#,
                "auth",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"basic","token":"tok-SECRET"}}"#,
                "auth.type",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"tok-SECRET","tokn":"tok-SECRET"}}"#,
                "auth.tokn",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"tok-SECRET"},"rate_limit_fraction":"tok-SECRET"}"#,
                "rate_limit_fraction",
            ),
            (
                r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"tok-SECRET"},"rate_limit_fraction":1.5}"#,
                "rate_limit_fraction",
            ),
            (r#"{"org_url": "tok-SECRET", "#, "(secret)"),
            (r#""tok-SECRET""#, "(secret)"),
        ];
        for (json, field) in cases {
            let err = parse(json).unwrap_err();
            assert_eq!(err.field, field, "{json}");
            assert!(!err.to_string().contains("SECRET"), "{err}");
            assert!(!err.to_string().contains("12345"), "{err}");
        }
    }

    #[test]
    fn pii_settings() {
        let c = parse(
            r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"t"},"pii":{}}"#,
        )
        .unwrap();
        let out = c
            .pii
            .unwrap()
            .apply(r#"{"profile":{"mobilePhone":"+1","city":"x"}}"#)
            .into_owned();
        assert_eq!(out, r#"{"profile":{"city":"x"}}"#);
        let err = parse(
            r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"t"},"pii":{"hash":["profile.email"]}}"#,
        )
        .unwrap_err();
        assert_eq!(err.field, "pii.hash_key");
        let err = parse(
            r#"{"org_url":"https://acme.okta.com","auth":{"type":"ssws","token":"t"},"pii":{"hash":["profile.email"],"hash_key":"short-SECRET"}}"#,
        )
        .unwrap_err();
        assert!(!err.to_string().contains("SECRET"));
    }

    #[test]
    fn debug_never_shows_credentials() {
        let c = parse(
            r#"{"org_url":"https://acme.okta.com","auth":{"type":"oauth2","client_id":"0oa1","client_secret":"tok-SECRET"}}"#,
        )
        .unwrap();
        let printed = format!("{c:?}");
        assert!(printed.contains("0oa1") && printed.contains("REDACTED"));
        assert!(!printed.contains("SECRET"));
    }
}
