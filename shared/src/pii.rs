//! Personal data controls: drop or hash listed fields of every record before it is written.
//!
//! A tenant opts in with `"pii"` in its secret. Paths are dotted field names from the record's
//! root, `[]` stepping into every element of an array (`_embedded.users[].user.profile.email`).
//! Hashing is HMAC-SHA256 keyed per tenant, so the same value hashes the same way in every
//! resource and run (joins still work) while the raw value never leaves memory.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::hmac;
use serde_json::Value;

use crate::resources::{self, Resource};

/// Dropped when a tenant asks for PII controls without naming fields.
pub const DEFAULT_DROP: &[&str] = &[
    "profile.mobilePhone",
    "profile.primaryPhone",
    "profile.streetAddress",
    "profile.postalAddress",
    "profile.zipCode",
    // A user's SMS and call factors carry the phone number in their own profile.
    "profile.phoneNumber",
    "_embedded.user.profile.mobilePhone",
    "_embedded.user.profile.primaryPhone",
    "_embedded.user.profile.streetAddress",
];

/// What to remove or hash, for one tenant.
pub struct PiiPolicy {
    drop: Vec<Vec<String>>,
    hash: Vec<Vec<String>>,
    key: Option<hmac::Key>,
    /// Last segments of every path: a record containing none of them is passed through as is.
    needles: Vec<String>,
}

impl fmt::Debug for PiiPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PiiPolicy")
            .field("drop", &self.drop)
            .field("hash", &self.hash)
            .field("key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl PiiPolicy {
    /// `key` is required when `hash` names fields (checked by the tenant config).
    pub fn new(drop: Vec<String>, hash: Vec<String>, key: Option<&[u8]>) -> Self {
        let split = |paths: Vec<String>| -> Vec<Vec<String>> {
            paths
                .iter()
                .map(|p| p.split('.').map(str::to_owned).collect())
                .collect()
        };
        let (drop, hash) = (split(drop), split(hash));
        let needles = drop
            .iter()
            .chain(&hash)
            .filter_map(|p| p.last())
            .map(|leaf| format!("\"{}\"", leaf.trim_end_matches("[]")))
            .collect();
        Self {
            drop,
            hash,
            key: key.map(|k| hmac::Key::new(hmac::HMAC_SHA256, k)),
            needles,
        }
    }

    /// What the policy does, as a short tag that changes whenever its fields or its key do
    /// (the key itself is never in it): an incremental run carries records written under
    /// the same policy only.
    pub fn fingerprint(&self) -> String {
        let key_tag = self
            .key
            .as_ref()
            .map(|k| hex(hmac::sign(k, b"okta-ingest pii fingerprint").as_ref()))
            .unwrap_or_default();
        let text = format!("{:?}|{:?}|{key_tag}", self.drop, self.hash);
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
        hex(&digest.as_ref()[..8])
    }

    /// The record with listed fields dropped or hashed; untouched (and unparsed) otherwise.
    pub fn apply<'r>(&self, raw: &'r str) -> Cow<'r, str> {
        if !self.needles.iter().any(|n| raw.contains(n.as_str())) {
            return Cow::Borrowed(raw);
        }
        let Ok(mut value) = serde_json::from_str::<Value>(raw) else {
            return Cow::Borrowed(raw);
        };
        for path in &self.drop {
            visit(&mut value, path, &mut |parent, leaf| {
                parent.remove(leaf);
            });
        }
        if let Some(key) = &self.key {
            for path in &self.hash {
                visit(&mut value, path, &mut |parent, leaf| {
                    if let Some(v) = parent.get_mut(leaf)
                        && !v.is_null()
                    {
                        let text = match &*v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let tag = hmac::sign(key, text.as_bytes());
                        *v = Value::String(format!("hmac-sha256:{}", hex(tag.as_ref())));
                    }
                });
            }
        }
        Cow::Owned(value.to_string())
    }
}

/// The policy that drops the credential fields a resource declares (its `secrets`), whatever
/// the tenant's own policy; built once per process, `None` for a resource without any.
pub fn secrets_of(resource: &Resource) -> Option<&'static PiiPolicy> {
    static POLICIES: OnceLock<Vec<(&'static str, PiiPolicy)>> = OnceLock::new();
    let policies = POLICIES.get_or_init(|| {
        resources::ALL
            .iter()
            .flat_map(|g| g.resources)
            .filter(|r| !r.secrets.is_empty())
            .map(|r| {
                let paths = r.secrets.iter().map(|p| (*p).to_owned()).collect();
                (r.name, PiiPolicy::new(paths, Vec::new(), None))
            })
            .collect()
    });
    policies
        .iter()
        .find(|(name, _)| *name == resource.name)
        .map(|(_, policy)| policy)
}

/// Applies a tenant's policy, if it has one.
pub fn scrub<'r>(policy: Option<&PiiPolicy>, raw: &'r str) -> Cow<'r, str> {
    match policy {
        Some(policy) => policy.apply(raw),
        None => Cow::Borrowed(raw),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Calls `at` with the object holding the path's last field, for every match of the path.
fn visit(
    value: &mut Value,
    path: &[String],
    at: &mut dyn FnMut(&mut serde_json::Map<String, Value>, &str),
) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (first.as_str(), false),
    };
    let Value::Object(map) = value else {
        return;
    };
    if rest.is_empty() && !each {
        at(map, name);
        return;
    }
    match (map.get_mut(name), each) {
        (Some(Value::Array(items)), true) => {
            for item in items {
                visit(item, rest, at);
            }
        }
        (Some(inner), false) => visit(inner, rest, at),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_and_hashes_nested_and_array_fields() {
        let policy = PiiPolicy::new(
            vec![
                "profile.mobilePhone".into(),
                "_embedded.users[].user.profile.mobilePhone".into(),
            ],
            vec!["profile.email".into()],
            Some(b"tenant-key-0123456789"),
        );
        let raw = r#"{"id":"u1","profile":{"mobilePhone":"+1 555 0100","email":"ann@example.com","city":"Oslo"},
                     "_embedded":{"users":[{"user":{"profile":{"mobilePhone":"+1 555 0199"}}}]}}"#;
        let out = policy.apply(raw);
        assert!(!out.contains("555"), "{out}");
        assert!(!out.contains("ann@example.com"));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["profile"]["city"], "Oslo");
        let hashed = v["profile"]["email"].as_str().unwrap();
        assert!(hashed.starts_with("hmac-sha256:"));
        // Keyed and stable: the same value hashes the same; another key differs.
        assert_eq!(policy.apply(raw), out);
        let other = PiiPolicy::new(
            vec![],
            vec!["profile.email".into()],
            Some(b"another-key-0123456789"),
        );
        let v2: Value = serde_json::from_str(&other.apply(raw)).unwrap();
        assert_ne!(v2["profile"]["email"], v["profile"]["email"]);
    }

    #[test]
    fn records_without_listed_fields_pass_through_unparsed() {
        let policy = PiiPolicy::new(vec!["profile.mobilePhone".into()], vec![], None);
        let raw = r#"{"id":"g1",  "profile":{"name":"Everyone"}}"#;
        assert!(matches!(policy.apply(raw), Cow::Borrowed(r) if r == raw));
    }

    #[test]
    fn the_fingerprint_follows_the_fields_and_the_key_but_never_shows_the_key() {
        let policy = |drop: &str, key: &[u8]| {
            PiiPolicy::new(vec![drop.into()], vec!["profile.email".into()], Some(key))
        };
        let fingerprint = policy("profile.mobilePhone", b"k1").fingerprint();
        assert_eq!(
            fingerprint,
            policy("profile.mobilePhone", b"k1").fingerprint()
        );
        assert_ne!(fingerprint, policy("profile.login", b"k1").fingerprint());
        assert_ne!(
            fingerprint,
            policy("profile.mobilePhone", b"k2").fingerprint()
        );
        assert_eq!(fingerprint.len(), 16);
        assert!(!fingerprint.contains(&hex(b"k1")));
    }
}
