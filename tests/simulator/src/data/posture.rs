//! What a security review asks about beyond the directory: API tokens, authenticators and their
//! methods, authorization servers (policies, scopes, claims), trusted origins, event and inline
//! hooks, log streams, API service integrations, the users behind the org's contacts, and how
//! admin roles are scoped (role targets, service apps' roles, resource sets' contents).
//!
//! Built from the rest of the org (its users, roles, groups, apps), with a few objects a review
//! should flag: a token of a deactivated user and one of the super admin, unscoped admin
//! roles, a hook over plain http and one to an unknown host, a wildcard origin, a policy for
//! all clients.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::config::READ_SCOPES;
use crate::ids::{base62, between, okta_id, timestamp};

/// What the rest of the org contributes.
pub(crate) struct Context<'a> {
    pub org_id: &'a str,
    pub url: &'a str,
    pub anchor: DateTime<Utc>,
    pub users: &'a [Value],
    pub groups: &'a [Value],
    pub apps: &'a [Value],
    pub user_roles: &'a BTreeMap<String, Vec<Value>>,
    pub group_roles: &'a BTreeMap<String, Vec<Value>>,
    pub resource_sets: &'a [Value],
    pub custom_roles: &'a [Value],
    pub network_zones: &'a [Value],
    pub org_contacts: &'a [Value],
    pub super_admin: &'a str,
}

/// The objects, each list sorted by `id` (Okta's paging order); maps keyed by the parent's id.
pub(crate) struct Posture {
    pub api_tokens: Vec<Value>,
    pub authenticators: Vec<Value>,
    pub authenticator_methods: BTreeMap<String, Vec<Value>>,
    pub authorization_servers: Vec<Value>,
    pub authorization_server_policies: BTreeMap<String, Vec<Value>>,
    pub authorization_server_scopes: BTreeMap<String, Vec<Value>>,
    pub authorization_server_claims: BTreeMap<String, Vec<Value>>,
    /// Policy id → its rules.
    pub authorization_server_policy_rules: BTreeMap<String, Vec<Value>>,
    pub trusted_origins: Vec<Value>,
    pub event_hooks: Vec<Value>,
    pub inline_hooks: Vec<Value>,
    pub log_streams: Vec<Value>,
    pub api_service_integrations: Vec<Value>,
    /// Contact type (`BILLING`, …) → `{userId, _links}`.
    pub org_contact_users: BTreeMap<String, Value>,
    /// Role assignment id → the groups it is scoped to (absent: no group targets).
    pub role_group_targets: BTreeMap<String, Vec<Value>>,
    /// Role assignment id → the catalog apps it is scoped to.
    pub role_app_targets: BTreeMap<String, Vec<Value>>,
    /// Client id → the roles assigned to that service app.
    pub client_roles: BTreeMap<String, Vec<Value>>,
    /// Resource set id → its resources.
    pub resource_set_resources: BTreeMap<String, Vec<Value>>,
    /// Resource set id → the roles it is bound to.
    pub resource_set_bindings: BTreeMap<String, Vec<Value>>,
    /// `{resource set id}/{role id}` → the binding's members.
    pub resource_set_binding_members: BTreeMap<String, Vec<Value>>,
}

pub(crate) fn posture(rng: &mut fastrand::Rng, org: &Context) -> Posture {
    let (methods, authenticators) = authenticators(rng, org);
    let servers = authorization_servers(rng, org);
    let (group_targets, app_targets) = role_targets(rng, org);
    let (resources, bindings, members) = resource_set_contents(rng, org);
    Posture {
        api_tokens: sorted(api_tokens(rng, org)),
        authenticators: sorted(authenticators),
        authenticator_methods: methods,
        authorization_servers: sorted(servers.servers),
        authorization_server_policies: servers.policies,
        authorization_server_scopes: servers.scopes,
        authorization_server_claims: servers.claims,
        authorization_server_policy_rules: servers.rules,
        trusted_origins: sorted(trusted_origins(rng, org)),
        event_hooks: sorted(event_hooks(rng, org)),
        inline_hooks: sorted(inline_hooks(rng, org)),
        log_streams: sorted(log_streams(rng, org)),
        api_service_integrations: sorted(api_service_integrations(rng, org)),
        org_contact_users: contact_users(org),
        role_group_targets: group_targets,
        role_app_targets: app_targets,
        client_roles: client_roles(rng, org),
        resource_set_resources: resources,
        resource_set_bindings: bindings,
        resource_set_binding_members: members,
    }
}

fn sorted(mut list: Vec<Value>) -> Vec<Value> {
    list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    list
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_default()
}

fn created(rng: &mut fastrand::Rng, org: &Context) -> (String, String) {
    let created = between(rng, org.anchor - Duration::days(700), org.anchor);
    (
        timestamp(created),
        timestamp(between(rng, created, org.anchor)),
    )
}

/// Tokens of the super admin, of a deactivated user, and of a few active admins; one bound to
/// a network zone.
fn api_tokens(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    let deprovisioned = org.users.iter().find(|u| u["status"] == "DEPROVISIONED");
    let admins = org
        .user_roles
        .keys()
        .filter(|id| id.as_str() != org.super_admin)
        .take(3);
    let mut owners: Vec<(&str, &str)> = vec![(org.super_admin, "Terraform")];
    if let Some(user) = deprovisioned {
        owners.push((text(user, "id"), "Old SCIM bridge"));
    }
    for (admin, name) in admins.zip(["Reporting script", "HR sync", "Backup export"]) {
        owners.push((admin.as_str(), name));
    }
    let zone = org.network_zones.first().map(|z| text(z, "id").to_owned());
    owners
        .into_iter()
        .enumerate()
        .map(|(i, (user, name))| {
            let id = okta_id(rng, "00T");
            let (created, updated) = created(rng, org);
            let network = match (&zone, i % 3) {
                (Some(zone), 2) => json!({ "connection": "ZONE", "include": [zone] }),
                _ => json!({ "connection": "ANYWHERE" }),
            };
            json!({
                "id": id,
                "name": name,
                "userId": user,
                "clientName": "Okta API",
                "created": created,
                "lastUpdated": updated,
                "expiresAt": timestamp(org.anchor + Duration::days(30)),
                "tokenWindow": "P30D",
                "network": network,
                "_link": { "self": { "href": format!("{}/api/v1/api-tokens/{id}", org.url) } },
            })
        })
        .collect()
}

/// Key, name, type, status, method types.
const AUTHENTICATORS: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "okta_password",
        "Password",
        "password",
        "ACTIVE",
        &["password"],
    ),
    ("okta_email", "Email", "email", "ACTIVE", &["email"]),
    (
        "okta_verify",
        "Okta Verify",
        "app",
        "ACTIVE",
        &["push", "totp", "signed_nonce"],
    ),
    (
        "phone_number",
        "Phone",
        "phone",
        "ACTIVE",
        &["sms", "voice"],
    ),
    (
        "security_question",
        "Security Question",
        "security_question",
        "INACTIVE",
        &["security_question"],
    ),
    (
        "webauthn",
        "Security Key or Biometric",
        "security_key",
        "ACTIVE",
        &["webauthn"],
    ),
    (
        "google_otp",
        "Google Authenticator",
        "app",
        "INACTIVE",
        &["otp"],
    ),
];

fn authenticators(
    rng: &mut fastrand::Rng,
    org: &Context,
) -> (BTreeMap<String, Vec<Value>>, Vec<Value>) {
    let mut methods = BTreeMap::new();
    let list = AUTHENTICATORS
        .iter()
        .map(|&(key, name, kind, status, types)| {
            let id = okta_id(rng, "aut");
            let (created, updated) = created(rng, org);
            let base = format!("{}/api/v1/authenticators/{id}", org.url);
            let list: Vec<Value> = types
                .iter()
                .map(|&method| {
                    let mut value = json!({
                        "type": method,
                        "status": if method == "voice" { "INACTIVE" } else { status },
                        "_links": { "self": { "href": format!("{base}/methods/{method}") } },
                    });
                    if method == "push" {
                        value["settings"] = json!({ "algorithms": ["RS256", "ES256"], "keyProtection": "ANY", "transactionTypes": ["LOGIN"] });
                    }
                    value
                })
                .collect();
            methods.insert(id.clone(), list);
            let mut value = json!({
                "id": id,
                "key": key,
                "name": name,
                "type": kind,
                "status": status,
                "created": created,
                "lastUpdated": updated,
                "_links": {
                    "self": { "href": base },
                    "methods": { "href": format!("{base}/methods") },
                },
            });
            if key == "okta_verify" {
                value["settings"] = json!({ "channelBinding": { "required": "ALWAYS", "style": "NUMBER_CHALLENGE" }, "compliance": { "fips": "OPTIONAL" }, "userVerification": "PREFERRED" });
            }
            value
        })
        .collect();
    (methods, list)
}

struct Servers {
    servers: Vec<Value>,
    policies: BTreeMap<String, Vec<Value>>,
    scopes: BTreeMap<String, Vec<Value>>,
    claims: BTreeMap<String, Vec<Value>>,
    rules: BTreeMap<String, Vec<Value>>,
}

/// Name, audience, whether its first policy covers every client.
const SERVERS: &[(&str, &str, bool)] = &[
    ("default", "api://default", true),
    (
        "Partner API",
        "https://api.partners.acme-corp.example",
        true,
    ),
    (
        "Internal API",
        "https://api.internal.acme-corp.example",
        false,
    ),
];

fn authorization_servers(rng: &mut fastrand::Rng, org: &Context) -> Servers {
    let clients: Vec<&str> = org
        .apps
        .iter()
        .filter(|a| a["signOnMode"] == "OPENID_CONNECT")
        .map(|a| text(&a["credentials"]["oauthClient"], "client_id"))
        .take(2)
        .collect();
    let mut out = Servers {
        servers: Vec::new(),
        policies: BTreeMap::new(),
        scopes: BTreeMap::new(),
        claims: BTreeMap::new(),
        rules: BTreeMap::new(),
    };
    for &(name, audience, all_clients) in SERVERS {
        let id = okta_id(rng, "aus");
        let (created, updated) = created(rng, org);
        let base = format!("{}/api/v1/authorizationServers/{id}", org.url);
        out.servers.push(json!({
            "id": id,
            "name": name,
            "description": format!("{name} authorization server"),
            "audiences": [audience],
            "issuer": format!("{}/oauth2/{id}", org.url),
            "issuerMode": "ORG_URL",
            "status": "ACTIVE",
            "created": created,
            "lastUpdated": updated,
            "credentials": { "signing": { "kid": base62(rng, 43), "rotationMode": "AUTO", "use": "sig", "lastRotated": updated, "nextRotation": timestamp(org.anchor + Duration::days(60)) } },
            "_links": {
                "self": { "href": base },
                "claims": { "href": format!("{base}/claims") },
                "policies": { "href": format!("{base}/policies") },
                "scopes": { "href": format!("{base}/scopes") },
            },
        }));
        let include: Vec<&str> = if all_clients {
            vec!["ALL_CLIENTS"]
        } else {
            clients.clone()
        };
        let mut policies = vec![json!({
            "id": okta_id(rng, "00p"),
            "type": "OAUTH_AUTHORIZATION_POLICY",
            "name": if all_clients { "Default Policy" } else { "Named clients" },
            "description": "Access to the API",
            "priority": 1,
            "status": "ACTIVE",
            "system": false,
            "conditions": { "clients": { "include": include } },
            "created": created,
            "lastUpdated": updated,
        })];
        if name == "Internal API" {
            policies.push(json!({
                "id": okta_id(rng, "00p"),
                "type": "OAUTH_AUTHORIZATION_POLICY",
                "name": "Retired integrations",
                "description": "Kept for audit",
                "priority": 2,
                "status": "INACTIVE",
                "system": false,
                "conditions": { "clients": { "include": ["ALL_CLIENTS"] } },
                "created": created,
                "lastUpdated": updated,
            }));
        }
        for policy in &policies {
            let rules = policy_rules(rng, org, all_clients);
            out.rules.insert(text(policy, "id").to_owned(), rules);
        }
        out.policies.insert(id.clone(), policies);
        let mut scopes: Vec<Value> = ["openid", "profile", "email", "offline_access"]
            .iter()
            .map(|scope| {
                json!({ "id": okta_id(rng, "scp"), "name": scope, "system": true, "default": false, "consent": "IMPLICIT", "metadataPublish": "ALL_CLIENTS", "optional": false })
            })
            .collect();
        if name != "default" {
            for custom in ["read:orders", "write:orders"] {
                scopes.push(json!({ "id": okta_id(rng, "scp"), "name": custom, "displayName": custom, "description": format!("{custom} on {name}"), "system": false, "default": false, "consent": "REQUIRED", "metadataPublish": "NO_CLIENTS", "optional": false }));
            }
        }
        out.scopes.insert(id.clone(), sorted(scopes));
        let claims = vec![
            json!({ "id": okta_id(rng, "ocl"), "name": "sub", "status": "ACTIVE", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "(appuser != null) ? appuser.userName : app.clientId", "alwaysIncludeInToken": true, "system": true, "conditions": { "scopes": [] } }),
            json!({ "id": okta_id(rng, "ocl"), "name": "groups", "status": "ACTIVE", "claimType": "IDENTITY", "valueType": "GROUPS", "group_filter_type": "STARTS_WITH", "value": "app_", "alwaysIncludeInToken": false, "system": false, "conditions": { "scopes": ["profile"] } }),
        ];
        out.claims.insert(id, sorted(claims));
    }
    out
}

/// A policy's rules: one for interactive sign-in, and, where every client is allowed, one for
/// client credentials with every scope.
fn policy_rules(rng: &mut fastrand::Rng, org: &Context, all_clients: bool) -> Vec<Value> {
    let (created, updated) = created(rng, org);
    let mut rules = vec![json!({
        "id": okta_id(rng, "0pr"),
        "name": "Sign-in",
        "type": "RESOURCE_ACCESS",
        "status": "ACTIVE",
        "priority": 1,
        "system": false,
        "conditions": {
            "people": { "groups": { "include": ["EVERYONE"] } },
            "grantTypes": { "include": ["authorization_code", "refresh_token"] },
            "scopes": { "include": ["openid", "profile", "email", "offline_access"] },
        },
        "actions": { "token": { "accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080 } },
        "created": created,
        "lastUpdated": updated,
    })];
    if all_clients {
        rules.push(json!({
            "id": okta_id(rng, "0pr"),
            "name": "Machine to machine",
            "type": "RESOURCE_ACCESS",
            "status": "ACTIVE",
            "priority": 2,
            "system": false,
            "conditions": {
                "people": { "groups": { "include": ["EVERYONE"] } },
                "grantTypes": { "include": ["client_credentials"] },
                "scopes": { "include": ["*"] },
            },
            "actions": { "token": { "accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080 } },
            "created": created,
            "lastUpdated": updated,
        }));
    }
    rules
}

/// Origin, scope types, status.
const ORIGINS: &[(&str, &str, &[&str], &str)] = &[
    (
        "Corporate site",
        "https://www.acme-corp.example",
        &["CORS", "REDIRECT"],
        "ACTIVE",
    ),
    (
        "All subdomains",
        "https://*.acme-corp.example",
        &["CORS", "REDIRECT"],
        "ACTIVE",
    ),
    (
        "Local development",
        "http://localhost:3000",
        &["CORS"],
        "ACTIVE",
    ),
    (
        "Partner portal",
        "https://portal.partner.example",
        &["REDIRECT"],
        "ACTIVE",
    ),
    (
        "Old intranet",
        "https://*.intranet.acme-corp.example",
        &["IFRAME_EMBED"],
        "INACTIVE",
    ),
];

fn trusted_origins(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    ORIGINS
        .iter()
        .map(|&(name, origin, scopes, status)| {
            let id = okta_id(rng, "tos");
            let (created, updated) = created(rng, org);
            let scopes: Vec<Value> = scopes
                .iter()
                .map(|kind| match *kind {
                    "IFRAME_EMBED" => json!({ "type": kind, "allowedOktaApps": ["OKTA_ENDUSER"] }),
                    _ => json!({ "type": kind }),
                })
                .collect();
            json!({
                "id": id,
                "name": name,
                "origin": origin,
                "scopes": scopes,
                "status": status,
                "created": created,
                "createdBy": org.super_admin,
                "lastUpdated": updated,
                "lastUpdatedBy": org.super_admin,
                "_links": { "self": { "href": format!("{}/api/v1/trustedOrigins/{id}", org.url) } },
            })
        })
        .collect()
}

/// Name, receiver, the events it gets.
const EVENT_HOOKS: &[(&str, &str, &[&str])] = &[
    (
        "SIEM user events",
        "https://hooks.siem.acme-corp.example/okta",
        &["user.lifecycle.create", "user.lifecycle.deactivate"],
    ),
    (
        "Legacy provisioning",
        "http://provisioning.acme-corp.example/events",
        &["group.user_membership.add"],
    ),
    (
        "Vendor analytics",
        "https://collect.analytics-vendor.example/okta",
        &["user.session.start"],
    ),
];

fn event_hooks(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    EVENT_HOOKS
        .iter()
        .map(|&(name, uri, events)| {
            let id = okta_id(rng, "who");
            let (created, updated) = created(rng, org);
            json!({
                "id": id,
                "name": name,
                "description": null,
                "status": "ACTIVE",
                "verificationStatus": "VERIFIED",
                "events": { "type": "EVENT_TYPE", "items": events, "filter": null },
                "channel": {
                    "type": "HTTP",
                    "version": "1.0.0",
                    "config": {
                        "uri": uri,
                        "method": "POST",
                        "headers": [{ "key": "X-Tenant", "value": format!("acme-{}", base62(rng, 8)) }],
                        "authScheme": { "type": "HEADER", "key": "Authorization", "value": format!("Bearer {}", base62(rng, 32)) },
                    },
                },
                "created": created,
                "createdBy": org.super_admin,
                "lastUpdated": updated,
                "_links": { "self": { "href": format!("{}/api/v1/eventHooks/{id}", org.url) } },
            })
        })
        .collect()
}

fn inline_hooks(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    [
        (
            "Token enrichment",
            "com.okta.oauth2.tokens.transform",
            "https://hooks.acme-corp.example/tokens",
        ),
        (
            "Import cleanup",
            "com.okta.import.transform",
            "https://hooks.acme-corp.example/import",
        ),
    ]
    .into_iter()
    .map(|(name, kind, uri)| {
        let id = okta_id(rng, "cal");
        let (created, updated) = created(rng, org);
        json!({
            "id": id,
            "name": name,
            "type": kind,
            "version": "1.0.0",
            "status": "ACTIVE",
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {
                    "uri": uri,
                    "method": "POST",
                    "headers": [{ "key": "X-Source", "value": "okta" }],
                    "authScheme": { "type": "HEADER", "key": "Authorization", "value": format!("Basic {}", base62(rng, 24)) },
                },
            },
            "created": created,
            "lastUpdated": updated,
            "_links": { "self": { "href": format!("{}/api/v1/inlineHooks/{id}", org.url) } },
        })
    })
    .collect()
}

fn log_streams(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    let streams = [
        (
            "Security data lake",
            "aws_eventbridge",
            json!({ "accountId": "123456789012", "eventSourceName": "okta-security", "region": "us-east-1" }),
        ),
        (
            "Unknown account",
            "aws_eventbridge",
            json!({ "accountId": "999988887777", "eventSourceName": "okta-export", "region": "eu-west-1" }),
        ),
        (
            "Splunk Cloud",
            "splunk_cloud_logstreaming",
            json!({ "edition": "aws", "host": "acme.splunkcloud.com", "token": format!("{}-{}", base62(rng, 8), base62(rng, 12)) }),
        ),
    ];
    streams
        .into_iter()
        .map(|(name, kind, settings)| {
            let id = okta_id(rng, "0oa");
            let (created, updated) = created(rng, org);
            let base = format!("{}/api/v1/logStreams/{id}", org.url);
            json!({
                "id": id,
                "name": name,
                "type": kind,
                "status": "ACTIVE",
                "settings": settings,
                "created": created,
                "lastUpdated": updated,
                "_links": {
                    "self": { "href": base, "method": "GET" },
                    "deactivate": { "href": format!("{base}/lifecycle/deactivate"), "method": "POST" },
                },
            })
        })
        .collect()
}

fn api_service_integrations(rng: &mut fastrand::Rng, org: &Context) -> Vec<Value> {
    [
        ("Okta Ingest", "okta_ingest", READ_SCOPES.to_vec()),
        (
            "Access Reviews Connector",
            "access_reviews_connector",
            vec!["okta.users.read", "okta.groups.read", "okta.users.manage"],
        ),
    ]
    .into_iter()
    .map(|(name, kind, scopes)| {
        let id = okta_id(rng, "0oa");
        let (created, _) = created(rng, org);
        let base = format!("{}/integrations/api/v1/api-services/{id}", org.url);
        json!({
            "id": id,
            "name": name,
            "type": kind,
            "grantedScopes": scopes,
            "configGuideUrl": format!("https://docs.{kind}.example/okta"),
            "createdAt": created,
            "createdBy": org.super_admin,
            "_links": {
                "self": { "href": base, "hints": { "allow": ["GET", "DELETE"] } },
                "client": { "href": format!("{}/oauth2/v1/clients/{id}", org.url) },
                "logo": { "href": format!("https://docs.{kind}.example/logo.png"), "name": "medium", "type": "image/png" },
            },
        })
    })
    .collect()
}

/// Each contact type's user: the super admin is the technical contact, the first other active
/// user the billing one.
fn contact_users(org: &Context) -> BTreeMap<String, Value> {
    let billing = org
        .users
        .iter()
        .map(|u| text(u, "id"))
        .find(|id| *id != org.super_admin && !id.is_empty());
    org.org_contacts
        .iter()
        .filter_map(|contact| {
            let kind = text(contact, "contactType");
            let user = match kind {
                "TECHNICAL" => org.super_admin,
                _ => billing?,
            };
            Some((
                kind.to_owned(),
                json!({
                    "userId": user,
                    "_links": { "user": { "href": format!("{}/api/v1/users/{user}", org.url) } },
                }),
            ))
        })
        .collect()
}

/// Targets of the role assignments that take them: group admins and help desks are scoped to
/// a few groups, app admins to a few apps, except every third assignment, which is left
/// unscoped (the whole org).
fn role_targets(
    rng: &mut fastrand::Rng,
    org: &Context,
) -> (BTreeMap<String, Vec<Value>>, BTreeMap<String, Vec<Value>>) {
    let mut groups = BTreeMap::new();
    let mut apps = BTreeMap::new();
    let assignments = org.user_roles.values().chain(org.group_roles.values());
    for (i, role) in assignments.flatten().enumerate() {
        if i % 3 == 0 {
            continue;
        }
        let id = text(role, "id").to_owned();
        match text(role, "type") {
            "USER_ADMIN" | "HELP_DESK_ADMIN" | "GROUP_MEMBERSHIP_ADMIN"
                if !org.groups.is_empty() =>
            {
                let mut picked: Vec<Value> = (0..rng.usize(1..=3))
                    .map(|_| org.groups[rng.usize(..org.groups.len())].clone())
                    .collect();
                picked.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                picked.dedup_by(|a, b| a["id"] == b["id"]);
                groups.insert(id, picked);
            }
            "APP_ADMIN" => {
                let catalog: Vec<Value> = org
                    .apps
                    .iter()
                    .filter(|a| a["signOnMode"] == "SAML_2_0")
                    .take(rng.usize(1..=2))
                    .map(|a| catalog_app(org, a))
                    .collect();
                apps.insert(id, catalog);
            }
            _ => {}
        }
    }
    (groups, apps)
}

/// An app as a role target: its catalog entry.
fn catalog_app(org: &Context, app: &Value) -> Value {
    let name = text(app, "name");
    json!({
        "name": name,
        "displayName": app["label"],
        "category": "APP",
        "signOnModes": [app["signOnMode"]],
        "status": "ACTIVE",
        "verificationStatus": "OKTA_VERIFIED",
        "website": format!("https://{name}.example.com"),
        "features": [],
        "lastUpdated": app["lastUpdated"],
        "_links": {
            "self": { "href": format!("{}/api/v1/catalog/apps/{name}", org.url) },
            "logo": [{ "href": format!("{}/assets/img/logos/{name}.png", org.url), "name": "medium", "type": "image/png" }],
        },
    })
}

/// Roles of service apps: every other one holds an admin role.
fn client_roles(rng: &mut fastrand::Rng, org: &Context) -> BTreeMap<String, Vec<Value>> {
    let services = org
        .apps
        .iter()
        .filter(|a| a["settings"]["oauthClient"]["application_type"] == "service");
    let mut roles = BTreeMap::new();
    for (i, app) in services.enumerate() {
        let client = text(&app["credentials"]["oauthClient"], "client_id").to_owned();
        let held = match i % 2 {
            0 => {
                let (kind, label) = [
                    ("READ_ONLY_ADMIN", "Read Only Administrator"),
                    ("ORG_ADMIN", "Organizational Administrator"),
                ][(i / 2) % 2];
                let (created, _) = created(rng, org);
                vec![json!({
                    "id": okta_id(rng, "ra1"),
                    "label": label,
                    "type": kind,
                    "status": "ACTIVE",
                    "created": created,
                    "lastUpdated": created,
                    "assignmentType": "CLIENT",
                    "_links": { "assignee": { "href": format!("{}/oauth2/v1/clients/{client}", org.url) } },
                })]
            }
            _ => Vec::new(),
        };
        roles.insert(client, held);
    }
    roles
}

/// Resource set id → its resources; resource set id → the roles bound to it;
/// `{resource set id}/{role id}` → the binding's members.
type SetContents = (
    BTreeMap<String, Vec<Value>>,
    BTreeMap<String, Vec<Value>>,
    BTreeMap<String, Vec<Value>>,
);

/// Each resource set's resources (a few groups, by ORN), the custom roles bound to it (those
/// its assignments name) and each binding's members (the users and groups holding it).
fn resource_set_contents(rng: &mut fastrand::Rng, org: &Context) -> SetContents {
    let mut resources = BTreeMap::new();
    let mut bindings = BTreeMap::new();
    let mut members = BTreeMap::new();
    let assignments: Vec<&Value> = org
        .user_roles
        .values()
        .chain(org.group_roles.values())
        .flatten()
        .filter(|r| r["type"] == "CUSTOM")
        .collect();
    for set in org.resource_sets {
        let set_id = text(set, "id");
        let base = format!("{}/api/v1/iam/resource-sets/{set_id}", org.url);
        let mut contents: Vec<Value> = (0..rng.usize(1..=3).min(org.groups.len()))
            .map(|_| {
                let group = &org.groups[rng.usize(..org.groups.len())];
                let group_id = text(group, "id");
                let (created, updated) = created(rng, org);
                let id = okta_id(rng, "ire");
                json!({
                    "id": id,
                    "orn": format!("orn:okta:directory:{}:groups:{group_id}", org.org_id),
                    "created": created,
                    "lastUpdated": updated,
                    "_links": {
                        "self": { "href": format!("{}/api/v1/groups/{group_id}", org.url) },
                        "resource": { "href": format!("{base}/resources/{id}") },
                    },
                })
            })
            .collect();
        contents.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        resources.insert(set_id.to_owned(), contents);
        let mut roles: Vec<&str> = assignments
            .iter()
            .filter(|a| a["resource-set"] == set_id)
            .map(|a| text(a, "role"))
            .filter(|role| org.custom_roles.iter().any(|c| c["id"] == *role))
            .collect();
        roles.sort_unstable();
        roles.dedup();
        for role in &roles {
            let holders = assignments
                .iter()
                .filter(|a| a["resource-set"] == set_id && a["role"] == *role)
                .filter_map(|a| a["_links"]["assignee"]["href"].as_str());
            let mut list: Vec<Value> = holders
                .map(|href| {
                    let (created, updated) = created(rng, org);
                    let id = okta_id(rng, "irb");
                    json!({
                        "id": id,
                        "created": created,
                        "lastUpdated": updated,
                        "_links": { "self": { "href": href } },
                    })
                })
                .collect();
            list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
            members.insert(format!("{set_id}/{role}"), list);
        }
        let bound = roles
            .into_iter()
            .map(|role| {
                json!({
                    "id": role,
                    "_links": {
                        "self": { "href": format!("{base}/bindings/{role}") },
                        "members": { "href": format!("{base}/bindings/{role}/members") },
                    },
                })
            })
            .collect();
        bindings.insert(set_id.to_owned(), bound);
    }
    (resources, bindings, members)
}
