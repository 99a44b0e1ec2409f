//! The generated org: every object the simulator serves, as Okta's JSON, built once at start
//! from the seed. Tests compare ingested lines with these values.

mod apps;
mod devices;
mod groups;
mod org;
pub(crate) mod policies;
mod posture;
mod roles;
mod security;
mod users;
mod words;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::config::{Engine, SimConfig};
use crate::ids::okta_id;
use crate::system_log::{Directory, SystemLog};

/// The objects of the simulated org. Lists are sorted by `id` (the order Okta pages them in)
/// unless said otherwise; maps are keyed by the parent's id.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Every user, DEPROVISIONED ones included.
    pub users: Vec<Value>,
    /// Each user's factors; users without factors map to an empty list.
    pub factors: BTreeMap<String, Vec<Value>>,
    /// Groups as listed without `expand` (see [`Dataset::group_with_stats`]).
    pub groups: Vec<Value>,
    /// Group id → member user ids, sorted (`/groups/{id}/users` serves those users).
    pub group_members: BTreeMap<String, Vec<String>>,
    /// Groups outside the caller's admin role ([`SimConfig::groups_outside_admin_scope`]):
    /// their members and roles answer 403 E0000006.
    pub groups_outside_admin_scope: BTreeSet<String>,
    pub group_rules: Vec<Value>,
    pub apps: Vec<Value>,
    /// App id → its AppUsers, sorted by user id (every app has an entry).
    pub app_users: BTreeMap<String, Vec<Value>>,
    /// App id → its group assignments, sorted by group id (every app has an entry).
    pub app_groups: BTreeMap<String, Vec<Value>>,
    /// App id → scope grants, for OIDC apps only.
    pub app_grants: BTreeMap<String, Vec<Value>>,
    /// The users `/api/v1/iam/assignees/users` lists (`{id, orn, _links}`).
    pub role_assignees: Vec<Value>,
    /// User id → role assignments, for users holding roles directly.
    pub user_roles: BTreeMap<String, Vec<Value>>,
    /// Group id → role assignments, for groups holding roles.
    pub group_roles: BTreeMap<String, Vec<Value>>,
    pub custom_roles: Vec<Value>,
    /// Custom role id → its permissions.
    pub custom_role_permissions: BTreeMap<String, Vec<Value>>,
    pub resource_sets: Vec<Value>,
    /// Every policy the engine has, by type then priority (the order listings return them).
    pub policies: Vec<Value>,
    /// Policy id → rules by priority.
    pub policy_rules: BTreeMap<String, Vec<Value>>,
    pub org: Value,
    /// Path under `/api/v1/org` (e.g. `/privacy/oktaSupport`) → the setting object.
    pub org_settings: BTreeMap<String, Value>,
    pub org_contacts: Vec<Value>,
    pub domains: Vec<Value>,
    /// Devices as listed without `expand`; none on Classic orgs (see [`Dataset::device_with_users`]).
    pub devices: Vec<Value>,
    /// Device id → the `_embedded.users` entries of `expand=user`.
    pub device_users: BTreeMap<String, Vec<Value>>,
    pub idps: Vec<Value>,
    pub network_zones: Vec<Value>,
    pub threat_insight: Value,
    pub behaviors: Vec<Value>,
    pub api_tokens: Vec<Value>,
    pub authenticators: Vec<Value>,
    /// Authenticator id → its methods.
    pub authenticator_methods: BTreeMap<String, Vec<Value>>,
    pub authorization_servers: Vec<Value>,
    /// Authorization server id → its policies, by priority.
    pub authorization_server_policies: BTreeMap<String, Vec<Value>>,
    /// Authorization server id → its scopes.
    pub authorization_server_scopes: BTreeMap<String, Vec<Value>>,
    /// Authorization server id → its claims.
    pub authorization_server_claims: BTreeMap<String, Vec<Value>>,
    /// Authorization server policy id → its rules, by priority.
    pub authorization_server_policy_rules: BTreeMap<String, Vec<Value>>,
    pub trusted_origins: Vec<Value>,
    pub event_hooks: Vec<Value>,
    pub inline_hooks: Vec<Value>,
    pub log_streams: Vec<Value>,
    pub api_service_integrations: Vec<Value>,
    /// Contact type (`BILLING`, `TECHNICAL`) → `{userId, _links}`.
    pub org_contact_users: BTreeMap<String, Value>,
    /// Role assignment id → the groups it is scoped to (see [`Dataset::role_with_targets`]).
    pub role_group_targets: BTreeMap<String, Vec<Value>>,
    /// Role assignment id → the catalog apps it is scoped to.
    pub role_app_targets: BTreeMap<String, Vec<Value>>,
    /// OAuth client id → its role assignments, for every service app.
    pub client_roles: BTreeMap<String, Vec<Value>>,
    /// Resource set id → its resources.
    pub resource_set_resources: BTreeMap<String, Vec<Value>>,
    /// Resource set id → the roles bound to it.
    pub resource_set_bindings: BTreeMap<String, Vec<Value>>,
    /// `{resource set id}/{role id}` → the binding's members, sorted by id.
    pub resource_set_binding_members: BTreeMap<String, Vec<Value>>,
    /// Live: shared with the running simulator (see [`Dataset::events`]).
    system_log: Arc<SystemLog>,
}

impl Dataset {
    /// Builds the org as of `now`. Inventory timestamps end at `now`'s midnight, so they look
    /// recent and stay the same all day; System Log events end at `now`.
    pub(crate) fn generate(config: &SimConfig, url: &str, now: DateTime<Utc>) -> Dataset {
        let anchor = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let rng = &mut rng;
        let org_id = okta_id(rng, "00o");
        let user_types = [okta_id(rng, "oty"), okta_id(rng, "oty")];
        let app_ids: Vec<String> = (0..config.apps).map(|_| okta_id(rng, "0oa")).collect();

        let users = users::users(rng, config.users, url, anchor, &user_types);
        let factors = users::factors(rng, &users, url);
        let import_app = app_ids.get(apps::DIRECTORY_APP).map(String::as_str);
        let groups = groups::groups(rng, config.groups, &users, import_app, url, anchor);
        let group_rules = groups::rules(rng, config.group_rules, &groups.groups, &users, anchor);
        let groups_outside_admin_scope = groups::outside_admin_scope(
            &groups.groups,
            &groups.members,
            config.groups_outside_admin_scope,
        );
        let role_sizes = roles::Sizes {
            admins: config.admins,
            custom_roles: config.custom_roles,
            resource_sets: config.resource_sets,
        };
        let roles = roles::roles(
            rng,
            &role_sizes,
            &users,
            &groups.groups,
            &org_id,
            url,
            anchor,
        );
        let super_admin = roles
            .user_roles
            .iter()
            .find(|(_, held)| held.iter().any(|r| r["type"] == "SUPER_ADMIN"))
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        let apps = apps::apps(
            rng,
            &app_ids,
            &apps::Context {
                org_id: &org_id,
                url,
                anchor,
                users: &users,
                groups: &groups.groups,
                members: &groups.members,
                granted_by: &super_admin,
            },
        );
        let network_zones = security::zones(rng, config.network_zones, url, anchor);
        let policies = policies::policies(
            rng,
            config.policies_per_type,
            config.engine,
            &groups.groups,
            &network_zones,
            url,
            anchor,
        );
        let org = org::org(rng, &org_id, url, anchor);
        let device_count = match config.engine {
            Engine::IdentityEngine => config.devices,
            Engine::Classic => 0,
        };
        let devices = devices::devices(rng, device_count, &users, url, anchor);
        let idps = security::idps(rng, config.idps, url, anchor);
        let behaviors = security::behaviors(rng, config.behaviors, url, anchor);
        let threat_insight = security::threat_insight(&network_zones, url, anchor);
        let org_contacts = org.contacts;
        // Its own generator, so that adding these objects left every other one as it was.
        let posture = posture::posture(
            &mut fastrand::Rng::with_seed(config.seed ^ 0x5ec_0517),
            &posture::Context {
                org_id: &org_id,
                url,
                anchor,
                users: &users,
                groups: &groups.groups,
                apps: &apps.apps,
                user_roles: &roles.user_roles,
                group_roles: &roles.group_roles,
                resource_sets: &roles.resource_sets,
                custom_roles: &roles.custom_roles,
                network_zones: &network_zones,
                org_contacts: &org_contacts,
                super_admin: &super_admin,
            },
        );
        let directory = directory(
            &users,
            &super_admin,
            &apps.apps,
            &groups.groups,
            &policies.policies,
        );
        let system_log = SystemLog::new(
            config.seed,
            directory,
            config.log_events,
            config.log_history,
            now,
        );

        Dataset {
            users,
            factors,
            groups: groups.groups,
            group_members: groups.members,
            groups_outside_admin_scope,
            group_rules,
            apps: apps.apps,
            app_users: apps.users,
            app_groups: apps.groups,
            app_grants: apps.grants,
            role_assignees: roles.assignees,
            user_roles: roles.user_roles,
            group_roles: roles.group_roles,
            custom_roles: roles.custom_roles,
            custom_role_permissions: roles.permissions,
            resource_sets: roles.resource_sets,
            policies: policies.policies,
            policy_rules: policies.rules,
            org: org.org,
            org_settings: org.settings,
            org_contacts,
            domains: org.domains,
            devices: devices.devices,
            device_users: devices.users,
            idps,
            network_zones,
            threat_insight,
            behaviors,
            api_tokens: posture.api_tokens,
            authenticators: posture.authenticators,
            authenticator_methods: posture.authenticator_methods,
            authorization_servers: posture.authorization_servers,
            authorization_server_policies: posture.authorization_server_policies,
            authorization_server_scopes: posture.authorization_server_scopes,
            authorization_server_claims: posture.authorization_server_claims,
            authorization_server_policy_rules: posture.authorization_server_policy_rules,
            trusted_origins: posture.trusted_origins,
            event_hooks: posture.event_hooks,
            inline_hooks: posture.inline_hooks,
            log_streams: posture.log_streams,
            api_service_integrations: posture.api_service_integrations,
            org_contact_users: posture.org_contact_users,
            role_group_targets: posture.role_group_targets,
            role_app_targets: posture.role_app_targets,
            client_roles: posture.client_roles,
            resource_set_resources: posture.resource_set_resources,
            resource_set_bindings: posture.resource_set_bindings,
            resource_set_binding_members: posture.resource_set_binding_members,
            system_log: Arc::new(system_log),
        }
    }

    /// Every System Log event, in persistence order, including those appended while serving.
    pub fn events(&self) -> Vec<Value> {
        self.system_log.events()
    }

    pub(crate) fn system_log_handle(&self) -> Arc<SystemLog> {
        Arc::clone(&self.system_log)
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<&Value> {
        find(&self.users, id)
    }

    /// A group as `expand=stats` returns it: `_embedded.stats` with its member count.
    pub fn group_with_stats(&self, group: &Value) -> Value {
        let id = group["id"].as_str().unwrap_or_default();
        let apps = self
            .app_groups
            .values()
            .filter(|assigned| assigned.iter().any(|a| a["id"] == id))
            .count();
        let mut expanded = group.clone();
        expanded["_embedded"] = json!({
            "stats": {
                "usersCount": self.group_members.get(id).map_or(0, Vec::len),
                "appsCount": apps,
                "groupPushMappingsCount": 0,
                "hasAdminPrivilege": self.group_roles.contains_key(id),
            },
        });
        expanded
    }

    /// A role assignment as `expand=targets/groups` or `expand=targets/catalog/apps` returns
    /// it: its targets of that kind under `_embedded.targets`, none for an unscoped role.
    pub fn role_with_targets(&self, role: &Value, expand: &str) -> Value {
        let id = role["id"].as_str().unwrap_or_default();
        let mut expanded = role.clone();
        let targets = match expand {
            "targets/groups" => self
                .role_group_targets
                .get(id)
                .map(|groups| json!({ "groups": groups })),
            "targets/catalog/apps" => self
                .role_app_targets
                .get(id)
                .map(|apps| json!({ "catalog": { "apps": apps } })),
            _ => None,
        };
        if let Some(targets) = targets {
            expanded["_embedded"] = json!({ "targets": targets });
        }
        expanded
    }

    /// Whether `/groups/{id}/users` serves this group: not the built-in "Okta Administrators".
    pub fn serves_members(&self, group_id: &str) -> bool {
        find(&self.groups, group_id).is_none_or(|g| {
            g["type"] != "BUILT_IN" || g["profile"]["name"] != groups::OKTA_ADMINISTRATORS
        })
    }

    /// A device as `expand=user` returns it: `_embedded.users` with each user in full.
    pub fn device_with_users(&self, device: &Value) -> Value {
        let id = device["id"].as_str().unwrap_or_default();
        let mut expanded = device.clone();
        expanded["_embedded"] =
            json!({ "users": self.device_users.get(id).cloned().unwrap_or_default() });
        expanded
    }
}

/// Who and what log events name: the super admin first, then up to 500 users and 200 each
/// of apps, groups and policies.
fn directory(
    users: &[Value],
    admin: &str,
    apps: &[Value],
    groups: &[Value],
    policies: &[Value],
) -> Directory {
    let text = |v: &Value, field: &str| v[field].as_str().unwrap_or_default().to_owned();
    let person = |u: &Value| {
        (
            text(u, "id"),
            text(&u["profile"], "login"),
            text(&u["profile"], "displayName"),
        )
    };
    let admin = find(users, admin).into_iter();
    let others = users
        .iter()
        .filter(|u| u["status"] != "DEPROVISIONED")
        .take(500);
    Directory {
        users: admin.chain(others).map(person).collect(),
        apps: apps
            .iter()
            .take(200)
            .map(|a| (text(a, "id"), text(a, "label")))
            .collect(),
        groups: groups
            .iter()
            .take(200)
            .map(|g| (text(g, "id"), text(&g["profile"], "name")))
            .collect(),
        policies: policies
            .iter()
            .take(200)
            .map(|p| (text(p, "id"), text(p, "name")))
            .collect(),
    }
}

/// An object by id in a list sorted by id.
pub(crate) fn find<'a>(sorted: &'a [Value], id: &str) -> Option<&'a Value> {
    sorted
        .binary_search_by(|v| v["id"].as_str().unwrap_or_default().cmp(id))
        .ok()
        .map(|at| &sorted[at])
}
