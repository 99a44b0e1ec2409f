//! Applications of every sign-on mode, who is assigned to them (directly or through groups),
//! and the Okta API scopes granted to the OAuth ones.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::groups::sample;
use crate::config::READ_SCOPES;
use crate::ids::{base62, between, okta_id, timestamp};

/// How an app signs users on; decides its shape.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Okta's own apps (Admin Console, Dashboard, Browser Plugin).
    BuiltIn,
    Saml,
    OidcWeb,
    /// A service app: client credentials only, no users.
    OidcService,
    OidcNative,
    OidcSpa,
    Bookmark,
    Swa,
    AutoLogin,
    WsFed,
}

/// Catalog name, label, kind. The first three are Okta's own; the fourth is the directory
/// the imported groups come from.
const CATALOG: &[(&str, &str, Kind)] = &[
    ("saasure", "Okta Admin Console", Kind::BuiltIn),
    ("okta_enduser", "Okta Dashboard", Kind::BuiltIn),
    ("okta_browser_plugin", "Okta Browser Plugin", Kind::BuiltIn),
    ("google", "Google Workspace", Kind::Saml),
    ("salesforce", "Salesforce.com", Kind::Saml),
    ("slack", "Slack", Kind::Saml),
    ("oidc_client", "Okta Ingest Service", Kind::OidcService),
    ("zoomus", "Zoom", Kind::Saml),
    ("oidc_client", "Expense Portal", Kind::OidcWeb),
    ("amazon_aws", "AWS Account Federation", Kind::Saml),
    ("bookmark", "HR Handbook", Kind::Bookmark),
    (
        "github_enterprise_cloud",
        "GitHub Enterprise Cloud",
        Kind::Saml,
    ),
    ("oidc_client", "Field Sales Mobile", Kind::OidcNative),
    ("workday", "Workday", Kind::Saml),
    ("template_swa", "Payroll Portal", Kind::Swa),
    ("oidc_client", "SIEM Collector", Kind::OidcService),
    ("servicenow_ud", "ServiceNow", Kind::Saml),
    ("oidc_client", "Internal Wiki", Kind::OidcSpa),
    ("boxnet", "Box", Kind::Saml),
    ("template_basic_auth", "Legacy Intranet", Kind::AutoLogin),
    ("docusign", "DocuSign", Kind::Saml),
    ("oidc_client", "Provisioning Bot", Kind::OidcService),
    ("atlassian", "Atlassian Cloud", Kind::Saml),
    ("template_wsfed", "SharePoint On-Premises", Kind::WsFed),
    ("zendesk", "Zendesk", Kind::Saml),
    ("oidc_client", "Partner Portal", Kind::OidcWeb),
    ("tableau_online", "Tableau Cloud", Kind::Saml),
    ("bookmark", "Benefits Site", Kind::Bookmark),
    ("dropbox_for_business", "Dropbox Business", Kind::Saml),
    ("template_swa", "Travel Booking", Kind::Swa),
];

pub(crate) struct Apps {
    pub apps: Vec<Value>,
    pub users: BTreeMap<String, Vec<Value>>,
    pub groups: BTreeMap<String, Vec<Value>>,
    pub grants: BTreeMap<String, Vec<Value>>,
}

/// Everything a generator of apps needs to know about the org.
pub(crate) struct Context<'a> {
    pub org_id: &'a str,
    pub url: &'a str,
    pub anchor: DateTime<Utc>,
    pub users: &'a [Value],
    pub groups: &'a [Value],
    pub members: &'a BTreeMap<String, Vec<String>>,
    /// Who granted the scopes (a super admin).
    pub granted_by: &'a str,
}

/// The catalog entry imported groups come from (Google Workspace).
pub(crate) const DIRECTORY_APP: usize = 3;

/// One app per id, cycling through the catalog (labels numbered on later rounds). The ids are
/// drawn before groups exist, so imported groups can name the directory app as their source.
pub(crate) fn apps(rng: &mut fastrand::Rng, ids: &[String], org: &Context) -> Apps {
    let mut out = Apps {
        apps: Vec::with_capacity(ids.len()),
        users: BTreeMap::new(),
        groups: BTreeMap::new(),
        grants: BTreeMap::new(),
    };
    let size = |g: &&Value| {
        org.members
            .get(g["id"].as_str().unwrap_or_default())
            .map_or(0, Vec::len)
    };
    let (large_groups, small_groups): (Vec<&Value>, Vec<&Value>) = org
        .groups
        .iter()
        .filter(|g| g["type"] != "BUILT_IN")
        .partition(|g| size(g) > 120);
    let active_users: Vec<&Value> = org
        .users
        .iter()
        .filter(|u| u["status"] == "ACTIVE")
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let (name, base_label, kind) = CATALOG[i % CATALOG.len()];
        let label = match i / CATALOG.len() {
            0 => base_label.to_owned(),
            round => format!("{base_label} {}", round + 1),
        };
        let created = between(
            rng,
            org.anchor - Duration::days(1_500),
            org.anchor - Duration::days(20),
        );
        let last_updated = between(rng, created, org.anchor);
        // One in twelve is switched off (Okta's own never are).
        let status = if kind != Kind::BuiltIn && rng.u8(..12) == 0 {
            "INACTIVE"
        } else {
            "ACTIVE"
        };
        let app = app(
            rng,
            id,
            name,
            &label,
            kind,
            status,
            created,
            last_updated,
            org,
        );

        // Who is assigned: Okta's own apps and service apps nobody; the rest up to three
        // groups (small ones mostly, a department or office now and then) and a few people.
        let assigned_groups: Vec<&Value> = match kind {
            Kind::BuiltIn | Kind::OidcService => Vec::new(),
            _ => {
                let n = rng.usize(0..=2);
                let mut chosen = sample(rng, &small_groups, n);
                if rng.u8(..10) < 3 {
                    chosen.extend(sample(rng, &large_groups, 1));
                }
                chosen
            }
        };
        let direct: Vec<&Value> = match kind {
            Kind::BuiltIn | Kind::OidcService => Vec::new(),
            _ => {
                let n = rng.usize(0..=20);
                sample(rng, &active_users, n)
            }
        };
        out.groups.insert(
            id.clone(),
            app_groups(rng, id, &assigned_groups, created, org),
        );
        out.users.insert(
            id.clone(),
            app_users(rng, &app, &assigned_groups, &direct, org),
        );
        if app["signOnMode"] == "OPENID_CONNECT" {
            out.grants.insert(id.clone(), grants(rng, &app, kind, org));
        }
        out.apps.push(app);
    }
    out.apps
        .sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

#[allow(clippy::too_many_arguments)]
fn app(
    rng: &mut fastrand::Rng,
    id: &str,
    name: &str,
    label: &str,
    kind: Kind,
    status: &str,
    created: DateTime<Utc>,
    last_updated: DateTime<Utc>,
    org: &Context,
) -> Value {
    let url = org.url;
    let sign_on_mode = match kind {
        Kind::BuiltIn if name == "okta_browser_plugin" => "BROWSER_PLUGIN",
        Kind::BuiltIn | Kind::Saml => "SAML_2_0",
        Kind::OidcWeb | Kind::OidcService | Kind::OidcNative | Kind::OidcSpa => "OPENID_CONNECT",
        Kind::Bookmark => "BOOKMARK",
        Kind::Swa => "BROWSER_PLUGIN",
        Kind::AutoLogin => "AUTO_LOGIN",
        Kind::WsFed => "WS_FEDERATION",
    };
    let link_name = format!("{name}_link");
    let slug = label.to_lowercase().replace([' ', '.'], "-");
    let mut credentials = json!({
        "userNameTemplate": { "template": "${source.login}", "type": "BUILT_IN" },
        "signing": { "kid": base62(rng, 16) },
    });
    let mut settings = json!({
        "app": {},
        "notifications": { "vpn": { "network": { "connection": "DISABLED" }, "message": null, "helpUrl": null } },
        "manualProvisioning": false,
        "implicitAssignment": false,
        "notes": { "admin": null, "enduser": null },
    });
    let mut features = json!([]);
    match kind {
        Kind::Saml | Kind::BuiltIn => {
            settings["signOn"] = json!({
                "defaultRelayState": "",
                "ssoAcsUrl": format!("https://{slug}.example.com/sso/saml"),
                "idpIssuer": "http://www.okta.com/${org.externalKey}",
                "audience": format!("https://{slug}.example.com"),
                "recipient": format!("https://{slug}.example.com/sso/saml"),
                "destination": format!("https://{slug}.example.com/sso/saml"),
                "subjectNameIdTemplate": "${user.userName}",
                "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                "responseSigned": true,
                "assertionSigned": true,
                "signatureAlgorithm": "RSA_SHA256",
                "digestAlgorithm": "SHA256",
                "honorForceAuthn": true,
                "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                "slo": { "enabled": false },
                "requestCompressed": false,
                "allowMultipleAcsEndpoints": false,
                "acsEndpoints": [],
                "attributeStatements": [],
            });
            if rng.bool() {
                features = json!([
                    "PUSH_NEW_USERS",
                    "PUSH_USER_DEACTIVATION",
                    "PUSH_PROFILE_UPDATES",
                    "IMPORT_NEW_USERS"
                ]);
            }
        }
        Kind::OidcWeb | Kind::OidcService | Kind::OidcNative | Kind::OidcSpa => {
            let (application_type, grant_types, auth_method) = match kind {
                Kind::OidcService => ("service", json!(["client_credentials"]), "private_key_jwt"),
                Kind::OidcNative => (
                    "native",
                    json!(["authorization_code", "refresh_token"]),
                    "none",
                ),
                Kind::OidcSpa => ("browser", json!(["authorization_code"]), "none"),
                _ => (
                    "web",
                    json!(["authorization_code", "refresh_token"]),
                    "client_secret_basic",
                ),
            };
            credentials = json!({
                "userNameTemplate": { "template": "${source.login}", "type": "BUILT_IN" },
                "signing": { "kid": base62(rng, 16) },
                "oauthClient": { "autoKeyRotation": true, "client_id": id, "token_endpoint_auth_method": auth_method },
            });
            let interactive = kind != Kind::OidcService;
            settings["oauthClient"] = json!({
                "client_uri": interactive.then(|| format!("https://{slug}.example.com")),
                "logo_uri": null,
                "redirect_uris": if interactive { json!([format!("https://{slug}.example.com/authorization-code/callback")]) } else { json!([]) },
                "post_logout_redirect_uris": if interactive { json!([format!("https://{slug}.example.com")]) } else { json!([]) },
                "response_types": if interactive { json!(["code"]) } else { json!(["token"]) },
                "grant_types": grant_types,
                "application_type": application_type,
                "consent_method": "REQUIRED",
                "issuer_mode": "DYNAMIC",
                "idp_initiated_login": { "mode": "DISABLED", "default_scope": [] },
                "wildcard_redirect": "DISABLED",
                "dpop_bound_access_tokens": kind == Kind::OidcService && rng.bool(),
                "pkce_required": kind != Kind::OidcWeb && interactive,
            });
        }
        Kind::Bookmark => {
            settings["app"] = json!({ "requestIntegration": false, "url": format!("https://{slug}.example.com") });
        }
        Kind::Swa | Kind::AutoLogin | Kind::WsFed => {
            credentials["scheme"] = json!("EDIT_USERNAME_AND_PASSWORD");
            credentials["revealPassword"] = json!(false);
            settings["app"] = json!({
                "url": format!("https://{slug}.example.com/login"),
                "loginUrlRegex": null,
            });
        }
    }
    json!({
        "id": id,
        "orn": format!("orn:okta:idp:{}:apps:{name}:{id}", org.org_id),
        "name": name,
        "label": label,
        "status": status,
        "created": timestamp(created),
        "lastUpdated": timestamp(last_updated),
        "accessibility": { "selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null },
        "visibility": {
            "autoLaunch": false,
            "autoSubmitToolbar": false,
            "hide": { "iOS": kind == Kind::OidcService, "web": kind == Kind::OidcService },
            "appLinks": { link_name.clone(): kind != Kind::OidcService },
        },
        "features": features,
        "signOnMode": sign_on_mode,
        "credentials": credentials,
        "settings": settings,
        "licensing": { "seatCount": 0 },
        "_links": {
            "logo": [{ "name": "medium", "href": "https://ok12static.oktacdn.com/assets/img/logos/default.png", "type": "image/png" }],
            "appLinks": [{ "name": link_name, "href": format!("{url}/home/{name}/{id}/aln{}", base62(rng, 14)), "type": "text/html" }],
            "users": { "href": format!("{url}/api/v1/apps/{id}/users") },
            "groups": { "href": format!("{url}/api/v1/apps/{id}/groups") },
            "deactivate": { "href": format!("{url}/api/v1/apps/{id}/lifecycle/deactivate") },
        },
    })
}

/// The app's group assignments, sorted by group id.
fn app_groups(
    rng: &mut fastrand::Rng,
    app_id: &str,
    groups: &[&Value],
    since: DateTime<Utc>,
    org: &Context,
) -> Vec<Value> {
    let url = org.url;
    let mut assignments: Vec<Value> = groups
        .iter()
        .enumerate()
        .map(|(priority, group)| {
            let group_id = group["id"].as_str().unwrap_or_default();
            json!({
                "id": group_id,
                "priority": priority,
                "lastUpdated": timestamp(between(rng, since, org.anchor)),
                "profile": {},
                "_links": {
                    "app": { "href": format!("{url}/api/v1/apps/{app_id}") },
                    "self": { "href": format!("{url}/api/v1/apps/{app_id}/groups/{group_id}") },
                    "group": { "href": format!("{url}/api/v1/groups/{group_id}") },
                },
            })
        })
        .collect();
    assignments.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    assignments
}

/// App users: members of the assigned groups (scope GROUP) and direct assignees (scope USER,
/// which wins when both apply), sorted by user id.
fn app_users(
    rng: &mut fastrand::Rng,
    app: &Value,
    groups: &[&Value],
    direct: &[&Value],
    org: &Context,
) -> Vec<Value> {
    // User id → the group it came through (None: assigned directly).
    let mut via: BTreeMap<&str, Option<&Value>> = BTreeMap::new();
    for group in groups {
        for member in org
            .members
            .get(group["id"].as_str().unwrap_or_default())
            .into_iter()
            .flatten()
        {
            via.insert(member, Some(*group));
        }
    }
    for user in direct {
        via.insert(user["id"].as_str().unwrap_or_default(), None);
    }
    let app_id = app["id"].as_str().unwrap_or_default();
    let provisioned = app["features"].as_array().is_some_and(|f| !f.is_empty());
    let since = app["created"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .unwrap_or(org.anchor);
    via.into_iter()
        .filter_map(|(user_id, group)| {
            let user = super::find(org.users, user_id)?;
            let profile = &user["profile"];
            let created = between(rng, since, org.anchor);
            let updated = between(rng, created, org.anchor);
            let mut links = json!({
                "app": { "href": format!("{}/api/v1/apps/{app_id}", org.url) },
                "user": { "href": format!("{}/api/v1/users/{user_id}", org.url) },
            });
            if let Some(group) = group {
                links["group"] = json!({
                    "name": group["profile"]["name"],
                    "href": format!("{}/api/v1/groups/{}", org.url, group["id"].as_str().unwrap_or_default()),
                });
            }
            Some(json!({
                "id": user_id,
                "externalId": if provisioned { json!(base62(rng, 20)) } else { Value::Null },
                "created": timestamp(created),
                "lastUpdated": timestamp(updated),
                "scope": if group.is_some() { "GROUP" } else { "USER" },
                "status": if provisioned { "PROVISIONED" } else { "ACTIVE" },
                "statusChanged": timestamp(updated),
                "passwordChanged": null,
                "syncState": if provisioned { "SYNCHRONIZED" } else { "DISABLED" },
                "lastSync": provisioned.then(|| timestamp(updated)),
                "credentials": { "userName": profile["login"] },
                "profile": {
                    "email": profile["email"],
                    "firstName": profile["firstName"],
                    "lastName": profile["lastName"],
                    "displayName": profile["displayName"],
                    "department": profile["department"],
                    "title": profile["title"],
                },
                "_links": links,
            }))
        })
        .collect()
}

/// Okta API scopes granted to an OAuth app: several read scopes for a service app, rarely
/// any for an interactive one.
fn grants(rng: &mut fastrand::Rng, app: &Value, kind: Kind, org: &Context) -> Vec<Value> {
    let count = match kind {
        Kind::OidcService => rng.usize(3..=8),
        _ => usize::from(rng.u8(..4) == 0),
    };
    let mut scopes: Vec<&str> = READ_SCOPES.to_vec();
    rng.shuffle(&mut scopes);
    let app_id = app["id"].as_str().unwrap_or_default();
    let label = app["label"].clone();
    let since = app["created"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .unwrap_or(org.anchor);
    let mut grants: Vec<Value> = scopes
        .into_iter()
        .take(count)
        .map(|scope| {
            let id = okta_id(rng, "oag");
            let created = between(rng, since, org.anchor);
            json!({
                "id": id,
                "status": "ACTIVE",
                "created": timestamp(created),
                "createdBy": { "id": org.granted_by, "type": "User" },
                "lastUpdated": timestamp(created),
                "issuer": org.url,
                "clientId": app_id,
                "scopeId": scope,
                "source": "ADMIN",
                "_links": {
                    "app": { "href": format!("{}/api/v1/apps/{app_id}", org.url), "title": label },
                    "self": { "href": format!("{}/api/v1/apps/{app_id}/grants/{id}", org.url), "hints": { "allow": ["GET", "DELETE"] } },
                    "client": { "href": format!("{}/oauth2/v1/clients/{app_id}", org.url), "title": label },
                },
            })
        })
        .collect();
    grants.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    // A revoked grant now and then, as admins do.
    if let Some(grant) = grants.last_mut().filter(|_| rng.u8(..5) == 0) {
        grant["status"] = json!("REVOKED");
    }
    grants
}
