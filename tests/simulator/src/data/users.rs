//! Users (with Okta's status mix and full profiles) and their enrolled factors.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::words::{
    AD_DOMAIN, COMPANY, DEPARTMENTS, EMAIL_DOMAIN, FIRST_NAMES, LAST_NAMES, PHONES, PLACES,
    RECOVERY_QUESTIONS, STREETS,
};
use crate::ids::{between, days_before, okta_id, pick, timestamp};

/// Statuses other than ACTIVE and their share of users, in 160ths: exact counts rather than
/// dice, so 480 users have exactly 30 DEPROVISIONED.
const STATUS_SHARES: &[(&str, usize)] = &[
    ("DEPROVISIONED", 10),
    ("STAGED", 3),
    ("PROVISIONED", 5),
    ("RECOVERY", 2),
    ("LOCKED_OUT", 2),
    ("PASSWORD_EXPIRED", 3),
    ("SUSPENDED", 3),
];

/// Generates `count` users, sorted by id. `user_types` are the org's user type ids: the
/// first for employees, the second for contractors.
pub(crate) fn users(
    rng: &mut fastrand::Rng,
    count: usize,
    org_url: &str,
    anchor: DateTime<Utc>,
    user_types: &[String; 2],
) -> Vec<Value> {
    let mut statuses: Vec<&str> = STATUS_SHARES
        .iter()
        .flat_map(|&(status, share)| std::iter::repeat_n(status, count * share / 160))
        .collect();
    statuses.resize(count, "ACTIVE");
    rng.shuffle(&mut statuses);

    let mut logins = HashSet::new();
    let mut users: Vec<Value> = Vec::with_capacity(count);
    for status in statuses {
        let first = *pick(rng, FIRST_NAMES);
        let last = *pick(rng, LAST_NAMES);
        let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let login = (1..)
            .map(|n| match n {
                1 => format!("{base}@{EMAIL_DOMAIN}"),
                n => format!("{base}{n}@{EMAIL_DOMAIN}"),
            })
            .find(|l| logins.insert(l.clone()))
            .expect("an unused login");
        let manager =
            (!users.is_empty() && rng.u8(..10) < 8).then(|| &users[rng.usize(..users.len())]);
        let made = user(
            rng, status, first, last, login, manager, org_url, anchor, user_types,
        );
        users.push(made);
    }
    users.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    users
}

#[allow(clippy::too_many_arguments)]
fn user(
    rng: &mut fastrand::Rng,
    status: &str,
    first: &str,
    last: &str,
    login: String,
    manager: Option<&Value>,
    org_url: &str,
    anchor: DateTime<Utc>,
    user_types: &[String; 2],
) -> Value {
    let id = okta_id(rng, "00u");
    let (department, division, titles) = *pick(rng, DEPARTMENTS);
    let (city, state, zip, country, phone_prefix, timezone, locale) = *pick(rng, PLACES);
    let contractor = rng.u8(..10) == 0;
    let phone = |rng: &mut fastrand::Rng| format!("{phone_prefix}-555-{:04}", rng.u16(..10_000));

    let created = days_before(rng, anchor - Duration::days(2), 1_500);
    let never_activated = status == "STAGED";
    let never_signed_in = matches!(status, "STAGED" | "PROVISIONED");
    let activated = created + Duration::minutes(rng.i64(1..120));
    let status_changed = match status {
        "STAGED" => None,
        "ACTIVE" | "PROVISIONED" => Some(activated),
        _ => Some(between(rng, activated, anchor)),
    };
    let last_login = (!never_signed_in).then(|| {
        let until = if status == "DEPROVISIONED" {
            status_changed.unwrap_or(anchor)
        } else {
            anchor
        };
        between(rng, (until - Duration::days(60)).max(activated), until)
    });
    let password_changed =
        (!never_signed_in).then(|| between(rng, activated, last_login.unwrap_or(anchor)));
    let last_updated = [Some(created), status_changed, last_login, password_changed]
        .into_iter()
        .flatten()
        .max()
        .expect("created is always set")
        + Duration::seconds(rng.i64(0..3_600));

    let provider = match rng.u8(..20) {
        0 => json!({"type": "FEDERATION", "name": "FEDERATION"}),
        1..=3 => json!({"type": "ACTIVE_DIRECTORY", "name": AD_DOMAIN}),
        _ => json!({"type": "OKTA", "name": "OKTA"}),
    };
    let mut credentials = json!({ "provider": provider });
    if provider["type"] == "OKTA" && !never_activated {
        credentials["password"] = json!({});
        let (question, _) = *pick(rng, RECOVERY_QUESTIONS);
        credentials["recovery_question"] = json!({ "question": question });
    }

    let (manager_name, manager_id) = match manager {
        Some(m) => (
            json!(format!(
                "{} {}",
                m["profile"]["firstName"].as_str().unwrap_or(""),
                m["profile"]["lastName"].as_str().unwrap_or("")
            )),
            m["id"].clone(),
        ),
        None => (Value::Null, Value::Null),
    };
    let profile = json!({
        "login": login,
        "email": login,
        "secondEmail": if rng.bool() { json!(format!("{}.{}@mail.example", first.to_lowercase(), last.to_lowercase())) } else { Value::Null },
        "firstName": first,
        "lastName": last,
        "displayName": format!("{first} {last}"),
        "nickName": Value::Null,
        "title": pick(rng, titles),
        "department": department,
        "division": division,
        "organization": COMPANY,
        "costCenter": format!("CC-{}", 1000 + rng.u16(..90) * 10),
        "employeeNumber": format!("{}{:06}", if contractor { "C" } else { "E" }, rng.u32(1..1_000_000)),
        "userType": if contractor { "Contractor" } else { "Employee" },
        "manager": manager_name,
        "managerId": manager_id,
        "mobilePhone": phone(rng),
        "primaryPhone": phone(rng),
        "streetAddress": format!("{} {}", rng.u16(1..2_000), pick(rng, STREETS)),
        "city": city,
        "state": state,
        "zipCode": zip,
        "countryCode": country,
        "preferredLanguage": &locale[..2],
        "locale": locale,
        "timezone": timezone,
    });

    json!({
        "id": id,
        "status": status,
        "created": timestamp(created),
        "activated": (!never_activated).then(|| timestamp(activated)),
        "statusChanged": status_changed.map(timestamp),
        "lastLogin": last_login.map(timestamp),
        "lastUpdated": timestamp(last_updated),
        "passwordChanged": password_changed.map(timestamp),
        "type": { "id": user_types[usize::from(contractor)] },
        "profile": profile,
        "credentials": credentials,
        "_links": { "self": { "href": format!("{org_url}/api/v1/users/{id}") } },
    })
}

/// A kind of factor: type, provider, vendor, id prefix.
const FACTOR_KINDS: &[(&str, &str, &str, &str)] = &[
    ("push", "OKTA", "OKTA", "opf"),
    ("signed_nonce", "OKTA", "OKTA", "crp"),
    ("token:software:totp", "OKTA", "OKTA", "ost"),
    ("token:software:totp", "GOOGLE", "GOOGLE", "uft"),
    ("webauthn", "FIDO", "FIDO", "fwf"),
    ("sms", "OKTA", "OKTA", "mbl"),
    ("email", "OKTA", "OKTA", "emf"),
    ("call", "OKTA", "OKTA", "clf"),
    ("question", "OKTA", "OKTA", "ufs"),
    ("token:hardware", "YUBICO", "YUBICO", "ykf"),
    ("token", "RSA", "RSA", "rsa"),
];

/// Zero to three factors per user who has signed in; an entry (maybe empty) for every user.
pub(crate) fn factors(
    rng: &mut fastrand::Rng,
    users: &[Value],
    org_url: &str,
) -> BTreeMap<String, Vec<Value>> {
    users
        .iter()
        .map(|user| {
            let id = user["id"].as_str().expect("users have ids").to_owned();
            let count = if user["lastLogin"].is_null() || user["status"] == "DEPROVISIONED" {
                0
            } else {
                [0, 1, 1, 2, 2, 2, 3][rng.usize(..7)]
            };
            let mut kinds: Vec<usize> = (0..FACTOR_KINDS.len()).collect();
            rng.shuffle(&mut kinds);
            // Lower indexes are the common factors: favour them by sorting the sample.
            let mut chosen: Vec<usize> = kinds.into_iter().take(count * 2).collect();
            chosen.sort_unstable();
            chosen.truncate(count);
            let factors = chosen
                .into_iter()
                .map(|kind| factor(rng, user, FACTOR_KINDS[kind], org_url))
                .collect();
            (id, factors)
        })
        .collect()
}

fn factor(
    rng: &mut fastrand::Rng,
    user: &Value,
    (factor_type, provider, vendor, prefix): (&str, &str, &str, &str),
    org_url: &str,
) -> Value {
    let id = okta_id(rng, prefix);
    let user_id = user["id"].as_str().unwrap_or_default();
    let login = user["profile"]["login"].clone();
    let phone = user["profile"]["mobilePhone"].clone();
    let activated = user["activated"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .unwrap_or_else(Utc::now);
    let last_login = user["lastLogin"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .unwrap_or(activated);
    let created = between(rng, activated, last_login);
    let last_updated = between(rng, created, last_login);
    let status = match rng.u8(..20) {
        0 => "PENDING_ACTIVATION",
        1 => "INACTIVE",
        _ => "ACTIVE",
    };
    let (name, platform, device_type, version) = *pick(rng, PHONES);
    let profile = match factor_type {
        "push" | "signed_nonce" => json!({
            "credentialId": login,
            "deviceType": device_type,
            "keys": [{ "kty": "EC", "use": "sig", "kid": "default", "crv": "P-256" }],
            "name": name,
            "platform": platform,
            "version": version,
        }),
        "sms" => json!({ "phoneNumber": phone }),
        "call" => json!({ "phoneNumber": phone, "phoneExtension": Value::Null }),
        "email" => json!({ "email": login }),
        "question" => {
            let (question, text) = *pick(rng, RECOVERY_QUESTIONS);
            json!({ "question": question, "questionText": text })
        }
        "webauthn" => json!({
            "credentialId": URL_SAFE_NO_PAD.encode(std::iter::repeat_with(|| rng.u8(..)).take(32).collect::<Vec<u8>>()),
            "authenticatorName": pick(rng, &["MacBook Pro Touch ID", "Windows Hello", "YubiKey 5 NFC", "iCloud Keychain"]),
        }),
        "token:hardware" => {
            json!({ "credentialId": format!("{:012}", rng.u64(..1_000_000_000_000)) })
        }
        _ => json!({ "credentialId": login }),
    };
    let self_href = format!("{org_url}/api/v1/users/{user_id}/factors/{id}");
    let mut links = json!({
        "self": { "href": self_href, "hints": { "allow": ["GET", "DELETE"] } },
        "user": { "href": format!("{org_url}/api/v1/users/{user_id}"), "hints": { "allow": ["GET"] } },
    });
    if status == "ACTIVE"
        && matches!(
            factor_type,
            "push" | "sms" | "call" | "email" | "token:software:totp"
        )
    {
        links["verify"] =
            json!({ "href": format!("{self_href}/verify"), "hints": { "allow": ["POST"] } });
    }
    json!({
        "id": id,
        "factorType": factor_type,
        "provider": provider,
        "vendorName": vendor,
        "status": status,
        "created": timestamp(created),
        "lastUpdated": timestamp(last_updated),
        "profile": profile,
        "_links": links,
    })
}
