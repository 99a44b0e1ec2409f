//! Security configuration: identity providers, network zones (Okta's three defaults and
//! custom ones), the ThreatInsight setting, and behavior detection rules.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::ids::{base62, between, okta_id, timestamp};

/// Type, name, protocol.
const IDPS: &[(&str, &str, &str)] = &[
    ("SAML2", "Partner SAML IdP", "SAML2"),
    ("GOOGLE", "Google", "OIDC"),
    ("MICROSOFT", "Microsoft Entra ID", "OIDC"),
    ("OIDC", "Contractor OIDC IdP", "OIDC"),
    ("X509", "Smart Card", "MTLS"),
    ("OKTA_INTEGRATION", "Acme Subsidiary Org", "OIDC"),
];

pub(crate) fn idps(
    rng: &mut fastrand::Rng,
    count: usize,
    url: &str,
    anchor: DateTime<Utc>,
) -> Vec<Value> {
    let mut idps: Vec<Value> = IDPS
        .iter()
        .cycle()
        .take(count)
        .enumerate()
        .map(|(i, &(kind, base_name, protocol))| {
            let id = okta_id(rng, "0oa");
            let name = match i / IDPS.len() {
                0 => base_name.to_owned(),
                round => format!("{base_name} {}", round + 1),
            };
            let created = between(rng, anchor - Duration::days(900), anchor - Duration::days(3));
            let protocol = match protocol {
                "SAML2" => json!({
                    "type": "SAML2",
                    "endpoints": {
                        "sso": { "url": "https://idp.partner.example/sso/saml", "binding": "HTTP-POST", "destination": "https://idp.partner.example/sso/saml" },
                        "acs": { "binding": "HTTP-POST", "type": "INSTANCE" },
                    },
                    "algorithms": {
                        "request": { "signature": { "algorithm": "SHA-256", "scope": "REQUEST" } },
                        "response": { "signature": { "algorithm": "SHA-256", "scope": "ANY" } },
                    },
                    "settings": { "nameFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" },
                    "credentials": { "trust": { "issuer": "https://idp.partner.example", "audience": format!("{url}/saml2/service-provider/sp{}", base62(rng, 12)), "kid": base62(rng, 36), "revocation": null, "revocationCacheLifetime": 0 } },
                }),
                "MTLS" => json!({
                    "type": "MTLS",
                    "credentials": { "trust": { "issuer": "CN=Acme Root CA", "kid": base62(rng, 36), "revocation": "CRL", "revocationCacheLifetime": 2880 } },
                }),
                _ => json!({
                    "type": "OIDC",
                    "endpoints": {
                        "authorization": { "url": format!("https://login.{}.example/oauth2/v1/authorize", kind.to_lowercase()), "binding": "HTTP-REDIRECT" },
                        "token": { "url": format!("https://login.{}.example/oauth2/v1/token", kind.to_lowercase()), "binding": "HTTP-POST" },
                    },
                    "scopes": ["openid", "profile", "email"],
                    // The IdP schema's token_endpoint_auth_method is private_key_jwt or absent;
                    // Okta's examples of client-secret IdPs send none. The secret itself Okta
                    // does return (the spec's IdP examples carry it): the ingest must drop it.
                    "credentials": { "client": { "client_id": base62(rng, 20), "client_secret": base62(rng, 40) } },
                }),
            };
            json!({
                "id": id,
                "type": kind,
                "issuerMode": "ORG_URL",
                "name": name,
                "status": if i % 5 == 4 { "INACTIVE" } else { "ACTIVE" },
                "created": timestamp(created),
                "lastUpdated": timestamp(between(rng, created, anchor)),
                "protocol": protocol,
                "policy": {
                    "provisioning": {
                        "action": "AUTO",
                        "profileMaster": false,
                        "groups": { "action": "NONE" },
                        "conditions": { "deprovisioned": { "action": "NONE" }, "suspended": { "action": "NONE" } },
                    },
                    "accountLink": { "filter": null, "action": "AUTO" },
                    "subject": { "userNameTemplate": { "template": "idpuser.email" }, "filter": null, "matchType": "USERNAME" },
                    "maxClockSkew": 120000,
                },
                "properties": null,
                "_links": {
                    "users": { "href": format!("{url}/api/v1/idps/{id}/users"), "hints": { "allow": ["GET"] } },
                    "deactivate": { "href": format!("{url}/api/v1/idps/{id}/lifecycle/deactivate"), "hints": { "allow": ["POST"] } },
                },
            })
        })
        .collect();
    idps.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    idps
}

/// Okta's three system zones, then `count − 3` custom IP and dynamic zones.
pub(crate) fn zones(
    rng: &mut fastrand::Rng,
    count: usize,
    url: &str,
    anchor: DateTime<Utc>,
) -> Vec<Value> {
    let org_created = anchor - Duration::days(1_600);
    let mut zones = Vec::with_capacity(count);
    for i in 0..count {
        let id = okta_id(rng, "nzo");
        let created = if i < 3 {
            org_created
        } else {
            between(rng, org_created, anchor)
        };
        let mut zone = match i {
            0 => {
                json!({ "type": "IP", "name": "LegacyIpZone", "usage": "POLICY", "system": true, "gateways": [], "proxies": null })
            }
            1 => {
                json!({ "type": "IP", "name": "BlockedIpZone", "usage": "BLOCKLIST", "system": true, "gateways": null, "proxies": null })
            }
            2 => json!({
                "type": "DYNAMIC_V2", "name": "DefaultEnhancedDynamicZone", "usage": "BLOCKLIST", "system": true,
                "locations": { "include": [], "exclude": [] },
                "asns": { "include": [], "exclude": [] },
                "ipServiceCategories": { "include": ["ALL_ANONYMIZERS"], "exclude": [] },
            }),
            n if n % 2 == 1 => json!({
                "type": "IP", "name": format!("Office Network {}", n - 2), "usage": "POLICY", "system": false,
                "gateways": [{ "type": "CIDR", "value": format!("198.51.{}.0/24", rng.u8(..)) }],
                "proxies": [{ "type": "RANGE", "value": format!("203.0.113.{}-203.0.113.{}", n, n + 10) }],
            }),
            n => json!({
                "type": "DYNAMIC", "name": format!("Blocked Countries {}", n - 2), "usage": "BLOCKLIST", "system": false,
                "locations": [{ "country": "KP", "region": null }, { "country": "IR", "region": null }],
                "proxyType": "Tor",
                "asns": [format!("{}", rng.u32(1_000..64_000))],
            }),
        };
        zone["id"] = json!(id);
        zone["status"] = json!("ACTIVE");
        zone["created"] = json!(timestamp(created));
        zone["lastUpdated"] = json!(timestamp(between(rng, created, anchor)));
        zone["_links"] = json!({
            "self": { "href": format!("{url}/api/v1/zones/{id}"), "hints": { "allow": ["GET", "PUT", "DELETE"] } },
            "deactivate": { "href": format!("{url}/api/v1/zones/{id}/lifecycle/deactivate"), "hints": { "allow": ["POST"] } },
        });
        zones.push(zone);
    }
    zones.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    zones
}

pub(crate) fn threat_insight(zones: &[Value], url: &str, anchor: DateTime<Utc>) -> Value {
    let excluded: Vec<&Value> = zones
        .iter()
        .filter(|z| z["usage"] == "POLICY" && z["system"] == false)
        .map(|z| &z["id"])
        .take(1)
        .collect();
    json!({
        "action": "audit",
        "excludeZones": excluded,
        "created": timestamp(anchor - Duration::days(400)),
        "lastUpdated": timestamp(anchor - Duration::days(40)),
        "_links": { "self": { "href": format!("{url}/api/v1/threats/configuration"), "hints": { "allow": ["GET", "POST"] } } },
    })
}

/// `count` behavior detection rules, cycling through Okta's kinds.
pub(crate) fn behaviors(
    rng: &mut fastrand::Rng,
    count: usize,
    url: &str,
    anchor: DateTime<Utc>,
) -> Vec<Value> {
    let kinds = [
        (
            "ANOMALOUS_LOCATION",
            "New City",
            json!({ "maxEventsUsedForEvaluation": 50, "granularity": "CITY", "radiusKilometers": 20 }),
        ),
        (
            "ANOMALOUS_DEVICE",
            "New Device",
            json!({ "maxEventsUsedForEvaluation": 20 }),
        ),
        (
            "ANOMALOUS_IP",
            "New IP",
            json!({ "maxEventsUsedForEvaluation": 50 }),
        ),
        ("VELOCITY", "Velocity", json!({ "velocityKph": 805 })),
        (
            "ANOMALOUS_LOCATION",
            "New Country",
            json!({ "maxEventsUsedForEvaluation": 50, "granularity": "COUNTRY" }),
        ),
        (
            "ANOMALOUS_ASN",
            "New ASN",
            json!({ "maxEventsUsedForEvaluation": 50 }),
        ),
    ];
    let mut behaviors: Vec<Value> = kinds
        .iter()
        .cycle()
        .take(count)
        .enumerate()
        .map(|(i, (kind, base_name, settings))| {
            let id = okta_id(rng, "abh");
            let created = between(rng, anchor - Duration::days(900), anchor);
            let name = match i / kinds.len() {
                0 => base_name.to_string(),
                round => format!("{base_name} {}", round + 1),
            };
            json!({
                "id": id,
                "name": name,
                "type": kind,
                "settings": settings,
                "status": if i == 4 { "INACTIVE" } else { "ACTIVE" },
                "created": timestamp(created),
                "lastUpdated": timestamp(between(rng, created, anchor)),
                // Okta's spelling.
                "_link": { "self": { "href": format!("{url}/api/v1/behaviors/{id}"), "hints": { "allow": ["GET", "POST", "PUT", "DELETE"] } } },
            })
        })
        .collect();
    behaviors.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    behaviors
}
