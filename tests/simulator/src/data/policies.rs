//! Policies of every type with their rules, shaped after the examples in Okta's spec:
//! custom policies first, the system default last, each with a few rules and a catch-all.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::config::Engine;
use crate::ids::{between, okta_id, pick, timestamp};

/// Every policy type of the spec, and whether only Identity Engine orgs have it.
pub(crate) const TYPES: &[(&str, bool)] = &[
    ("OKTA_SIGN_ON", false),
    ("PASSWORD", false),
    ("MFA_ENROLL", false),
    ("IDP_DISCOVERY", false),
    ("ACCESS_POLICY", true),
    ("PROFILE_ENROLLMENT", true),
    ("POST_AUTH_SESSION", true),
    ("ENTITY_RISK", true),
    ("SESSION_VIOLATION_DETECTION", true),
    ("CLIENT_UPDATE", true),
    ("DEVICE_SIGNAL_COLLECTION", true),
    ("IDENTITY_CLAIM_SOURCING", true),
];

const AUDIENCES: &[&str] = &[
    "Contractors",
    "Administrators",
    "Engineering",
    "Sales",
    "Executives",
    "Interns",
    "Remote Workers",
];

pub(crate) struct Policies {
    /// By type (in [`TYPES`] order), then priority.
    pub policies: Vec<Value>,
    /// Policy id → rules in priority order.
    pub rules: BTreeMap<String, Vec<Value>>,
}

/// `per_type` policies of each type the engine has; groups and zones fill conditions.
pub(crate) fn policies(
    rng: &mut fastrand::Rng,
    per_type: usize,
    engine: Engine,
    groups: &[Value],
    zones: &[Value],
    url: &str,
    anchor: DateTime<Utc>,
) -> Policies {
    let everyone = groups
        .iter()
        .find(|g| g["profile"]["name"] == super::groups::EVERYONE)
        .map(|g| g["id"].clone());
    let group_ids: Vec<Value> = groups
        .iter()
        .filter(|g| g["type"] != "BUILT_IN")
        .map(|g| g["id"].clone())
        .collect();
    let zone_ids: Vec<Value> = zones
        .iter()
        .filter(|z| z["system"] == false)
        .map(|z| z["id"].clone())
        .collect();
    let mut out = Policies {
        policies: Vec::new(),
        rules: BTreeMap::new(),
    };
    for &(kind, oie_only) in TYPES {
        if oie_only && engine == Engine::Classic {
            continue;
        }
        // Identity Engine ids for its policy kinds, classic ones for the rest.
        let (policy_prefix, rule_prefix) = if oie_only {
            ("rst", "rul")
        } else {
            ("00p", "0pr")
        };
        for n in 0..per_type {
            let default = n + 1 == per_type;
            let id = okta_id(rng, policy_prefix);
            let created = between(
                rng,
                anchor - Duration::days(1_200),
                anchor - Duration::days(5),
            );
            let last_updated = between(rng, created, anchor);
            let audience = AUDIENCES[n % AUDIENCES.len()];
            let include = if default {
                everyone.iter().cloned().collect::<Vec<_>>()
            } else if group_ids.is_empty() {
                Vec::new()
            } else {
                vec![pick(rng, &group_ids).clone()]
            };
            let mut policy = json!({
                "type": kind,
                "id": id,
                "status": if !default && rng.u8(..6) == 0 { "INACTIVE" } else { "ACTIVE" },
                "name": if default { "Default Policy".to_owned() } else { format!("{} - {audience}", title(kind)) },
                "description": if default { json!(format!("The default {} policy", title(kind).to_lowercase())) } else { json!(format!("Applies to {}", audience.to_lowercase())) },
                "priority": n + 1,
                "system": default,
                "conditions": conditions(kind, &include),
                "created": timestamp(created),
                "lastUpdated": timestamp(last_updated),
                "_links": {
                    "self": { "href": format!("{url}/api/v1/policies/{id}"), "hints": { "allow": ["GET", "PUT"] } },
                    "rules": { "href": format!("{url}/api/v1/policies/{id}/rules"), "hints": { "allow": ["GET", "POST"] } },
                },
            });
            if let Some(settings) = settings(rng, kind) {
                policy["settings"] = settings;
            }
            if matches!(kind, "ACCESS_POLICY" | "MFA_ENROLL") {
                policy["_links"]["mappings"] = json!({ "href": format!("{url}/api/v1/policies/{id}/mappings"), "hints": { "allow": ["GET", "POST"] } });
            }

            let custom_rules = rng.usize(1..=3);
            let rules: Vec<Value> = (0..=custom_rules)
                .map(|r| {
                    let catch_all = r == custom_rules;
                    let rule_id = okta_id(rng, rule_prefix);
                    let rule_created = between(rng, created, anchor);
                    let (rule_type, conditions, actions) = rule(rng, kind, catch_all, &zone_ids);
                    json!({
                        "id": rule_id,
                        "status": "ACTIVE",
                        "name": if catch_all { "Catch-all Rule".to_owned() } else { format!("{} rule {}", title(kind), r + 1) },
                        "priority": if catch_all { 99 } else { r + 1 },
                        "created": timestamp(rule_created),
                        "lastUpdated": timestamp(between(rng, rule_created, anchor)),
                        "system": catch_all,
                        "conditions": conditions,
                        "actions": actions,
                        "type": rule_type,
                        "_links": {
                            "self": { "href": format!("{url}/api/v1/policies/{id}/rules/{rule_id}"), "hints": { "allow": ["GET", "PUT"] } },
                        },
                    })
                })
                .collect();
            out.rules.insert(id, rules);
            out.policies.push(policy);
        }
    }
    out
}

/// `OKTA_SIGN_ON` → `Okta sign on`.
fn title(kind: &str) -> String {
    let words = kind.to_lowercase().replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn conditions(kind: &str, include: &[Value]) -> Value {
    match kind {
        "OKTA_SIGN_ON" | "MFA_ENROLL" => json!({ "people": { "groups": { "include": include } } }),
        "PASSWORD" => {
            json!({ "people": { "groups": { "include": include } }, "authProvider": { "provider": "OKTA" } })
        }
        _ => Value::Null,
    }
}

fn settings(rng: &mut fastrand::Rng, kind: &str) -> Option<Value> {
    match kind {
        "PASSWORD" => Some(json!({
            "password": {
                "complexity": {
                    "minLength": *pick(rng, &[8, 10, 12, 14]),
                    "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1, "minSymbol": rng.u8(..2),
                    "excludeUsername": true,
                    "dictionary": { "common": { "exclude": rng.bool() } },
                    "excludeAttributes": [],
                },
                "age": { "maxAgeDays": *pick(rng, &[0, 90, 180]), "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": 4 },
                "lockout": { "maxAttempts": 10, "autoUnlockMinutes": 0, "userLockoutNotificationChannels": [], "showLockoutFailures": false },
            },
            "recovery": {
                "factors": {
                    "recovery_question": { "status": "ACTIVE", "properties": { "complexity": { "minLength": 4 } } },
                    "okta_email": { "status": "ACTIVE", "properties": { "recoveryToken": { "tokenLifetimeMinutes": 10080 } } },
                    "okta_sms": { "status": "INACTIVE" },
                    "okta_call": { "status": "INACTIVE" },
                },
            },
            "delegation": { "options": { "skipUnlock": false } },
        })),
        "MFA_ENROLL" => Some(json!({
            "type": "AUTHENTICATORS",
            "authenticators": [
                { "key": "okta_email", "enroll": { "self": "NOT_ALLOWED" } },
                { "key": "okta_verify", "enroll": { "self": if rng.bool() { "REQUIRED" } else { "OPTIONAL" } } },
                { "key": "okta_password", "enroll": { "self": "REQUIRED" } },
                { "key": "webauthn", "enroll": { "self": "OPTIONAL" } },
            ],
        })),
        _ => None,
    }
}

/// A rule's `type`, `conditions` and `actions` for a policy kind.
fn rule(
    rng: &mut fastrand::Rng,
    kind: &str,
    catch_all: bool,
    zones: &[Value],
) -> (&'static str, Value, Value) {
    let network = match (catch_all, zones.is_empty()) {
        (false, false) => json!({ "connection": "ZONE", "include": [pick(rng, zones)] }),
        _ => json!({ "connection": "ANYWHERE" }),
    };
    match kind {
        "OKTA_SIGN_ON" => (
            "SIGN_ON",
            json!({
                "people": { "users": { "exclude": [] } },
                "network": network,
                "risk": { "behaviors": [] },
                "riskScore": { "level": "ANY" },
                "identityProvider": { "provider": "ANY" },
            }),
            json!({ "signon": {
            "requireFactor": !catch_all,
            "factorPromptMode": "ALWAYS",
            "factorLifetime": 15,
            "access": "ALLOW",
            "primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
            "session": { "maxSessionIdleMinutes": 120, "maxSessionLifetimeMinutes": 0, "usePersistentCookie": false },
        } }),
        ),
        "PASSWORD" => (
            "PASSWORD",
            json!({ "people": { "users": { "exclude": [] } }, "network": network }),
            json!({
                "passwordChange": { "access": "ALLOW" },
                "selfServicePasswordReset": { "access": "ALLOW", "requirement": { "primary": { "methods": ["email"] }, "stepUp": { "required": false } } },
                "selfServiceUnlock": { "access": "DENY" },
            }),
        ),
        "MFA_ENROLL" => (
            "MFA_ENROLL",
            json!({ "people": { "users": { "exclude": [] } }, "network": network }),
            json!({ "enroll": { "self": "CHALLENGE" } }),
        ),
        "IDP_DISCOVERY" => (
            "IDP_DISCOVERY",
            json!({
                "network": network,
                "platform": { "include": [], "exclude": [] },
                "userIdentifier": { "patterns": [] },
                "app": { "include": [], "exclude": [] },
            }),
            json!({ "idp": { "providers": [{ "type": "OKTA" }], "idpSelectionType": "SPECIFIC", "shouldFallBackToOkta": false } }),
        ),
        "ACCESS_POLICY" => (
            "ACCESS_POLICY",
            if catch_all {
                Value::Null
            } else {
                json!({ "network": network })
            },
            json!({ "appSignOn": {
            "access": "ALLOW",
            "verificationMethod": { "factorMode": if catch_all { "1FA" } else { "2FA" }, "type": "ASSURANCE", "reauthenticateIn": "PT12H", "constraints": [] },
        } }),
        ),
        "PROFILE_ENROLLMENT" => (
            "PROFILE_ENROLLMENT",
            Value::Null,
            json!({ "profileEnrollment": {
            "access": "ALLOW",
            "preRegistrationInlineHooks": null,
            "profileAttributes": [
                { "name": "email", "label": "Email", "required": true },
                { "name": "firstName", "label": "First name", "required": true },
                { "name": "lastName", "label": "Last name", "required": true },
            ],
            "targetGroupIds": null,
            "unknownUserAction": "DENY",
            "activationRequirements": { "emailVerification": true },
            "progressiveProfilingAction": "DISABLED",
        } }),
        ),
        "POST_AUTH_SESSION" => (
            "POST_AUTH_SESSION",
            json!({ "people": { "users": { "exclude": [] } } }),
            json!({ "postAuthSession": { "failureActions": if catch_all { json!([]) } else { json!([{ "action": "TERMINATE_SESSION" }]) } } }),
        ),
        "ENTITY_RISK" => (
            "ENTITY_RISK",
            Value::Null,
            json!({ "entityRisk": { "actions": if catch_all { json!([]) } else { json!([{ "action": "TERMINATE_ALL_SESSIONS" }]) } } }),
        ),
        "SESSION_VIOLATION_DETECTION" => (
            "SESSION_VIOLATION_DETECTION",
            json!({ "network": network, "riskScore": { "minRiskLevel": "LOW" } }),
            json!({ "sessionViolationDetection": { "policyEvaluation": { "enabled": true } } }),
        ),
        "CLIENT_UPDATE" => (
            "CLIENT_UPDATE",
            json!({}),
            json!({ "updateControls": { "actions": [] } }),
        ),
        "DEVICE_SIGNAL_COLLECTION" => (
            "DEVICE_SIGNAL_COLLECTION",
            json!({ "network": network }),
            json!({ "deviceSignalCollection": {
            "deviceContextProviders": [{ "key": "OKTA_VERIFY", "userIdentification": "IGNORE" }, { "key": "CHROME_DEVICE_TRUST" }],
        } }),
        ),
        _ => (
            "IDENTITY_CLAIM_SOURCING",
            Value::Null,
            json!({ "claimSourcing": { "redirectType": "IDP_DISCOVERY" } }),
        ),
    }
}
