//! Admin roles: standard and custom role assignments held by users and groups, the custom
//! roles with their permissions, and the resource sets custom roles are bound to.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::ids::{between, okta_id, pick, timestamp};

const STANDARD_ROLES: &[(&str, &str)] = &[
    ("SUPER_ADMIN", "Super Administrator"),
    ("ORG_ADMIN", "Organizational Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("READ_ONLY_ADMIN", "Read Only Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("REPORT_ADMIN", "Report Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("WORKFLOWS_ADMIN", "Workflows Administrator"),
];

/// Custom role label, description, permissions.
const CUSTOM_ROLES: &[(&str, &str, &[&str])] = &[
    (
        "UserCreator",
        "Create and edit users",
        &[
            "okta.users.create",
            "okta.users.read",
            "okta.users.userprofile.manage",
            "okta.groups.read",
        ],
    ),
    (
        "GroupMembershipManager",
        "Manage group membership",
        &["okta.groups.read", "okta.groups.members.manage"],
    ),
    (
        "AppAssignmentOperator",
        "Assign users to apps",
        &[
            "okta.apps.read",
            "okta.apps.assignment.manage",
            "okta.users.read",
        ],
    ),
    (
        "SecurityAuditor",
        "Read everything security relevant",
        &[
            "okta.users.read",
            "okta.groups.read",
            "okta.apps.read",
            "okta.policies.read",
            "okta.logs.read",
        ],
    ),
    (
        "PasswordResetter",
        "Reset passwords and factors",
        &[
            "okta.users.read",
            "okta.users.credentials.resetPassword",
            "okta.users.credentials.resetFactors",
        ],
    ),
];

const RESOURCE_SETS: &[(&str, &str)] = &[
    (
        "SF-IT-People",
        "People in the IT department of San Francisco",
    ),
    ("Contractor-Groups", "Groups that hold contractors"),
    ("Sales-Apps", "Apps used by the sales teams"),
    ("EMEA-Users", "Users based in Europe"),
];

pub(crate) struct Roles {
    /// User id → role assignments (only users holding roles).
    pub user_roles: BTreeMap<String, Vec<Value>>,
    /// Group id → role assignments (only groups holding roles).
    pub group_roles: BTreeMap<String, Vec<Value>>,
    /// The `/api/v1/iam/assignees/users` entries, sorted by id.
    pub assignees: Vec<Value>,
    pub custom_roles: Vec<Value>,
    pub permissions: BTreeMap<String, Vec<Value>>,
    pub resource_sets: Vec<Value>,
}

pub(crate) struct Sizes {
    pub admins: usize,
    pub custom_roles: usize,
    pub resource_sets: usize,
}

pub(crate) fn roles(
    rng: &mut fastrand::Rng,
    sizes: &Sizes,
    users: &[Value],
    groups: &[Value],
    org_id: &str,
    url: &str,
    anchor: DateTime<Utc>,
) -> Roles {
    let since = anchor - Duration::days(1_000);
    let custom_roles: Vec<Value> = CUSTOM_ROLES
        .iter()
        .cycle()
        .take(sizes.custom_roles)
        .enumerate()
        .map(|(i, (label, description, _))| {
            let id = okta_id(rng, "cr0");
            let created = between(rng, since, anchor);
            json!({
                "id": id,
                "label": numbered(label, i, CUSTOM_ROLES.len()),
                "description": description,
                "created": timestamp(created),
                "lastUpdated": timestamp(between(rng, created, anchor)),
                "_links": {
                    "permissions": { "href": format!("{url}/api/v1/iam/roles/{id}/permissions") },
                    "self": { "href": format!("{url}/api/v1/iam/roles/{id}") },
                },
            })
        })
        .collect();
    let permissions = custom_roles
        .iter()
        .enumerate()
        .map(|(i, role)| {
            let id = role["id"].as_str().unwrap_or_default();
            let (_, _, labels) = CUSTOM_ROLES[i % CUSTOM_ROLES.len()];
            let list = labels
                .iter()
                .map(|label| {
                    let mut permission = json!({
                        "label": label,
                        "created": role["created"],
                        "lastUpdated": role["lastUpdated"],
                        "_links": {
                            "role": { "href": format!("{url}/api/v1/iam/roles/{id}") },
                            "self": { "href": format!("{url}/api/v1/iam/roles/{id}/permissions/{label}") },
                        },
                    });
                    if *label == "okta.users.read" && i % 2 == 0 {
                        permission["conditions"] = json!({ "include": { "okta:ResourceAttribute/User/Profile": ["city", "state", "zipCode"] } });
                    }
                    permission
                })
                .collect();
            (id.to_owned(), list)
        })
        .collect();
    let resource_sets: Vec<Value> = RESOURCE_SETS
        .iter()
        .cycle()
        .take(sizes.resource_sets)
        .enumerate()
        .map(|(i, (label, description))| {
            let id = okta_id(rng, "iam");
            let created = between(rng, since, anchor);
            json!({
                "id": id,
                "label": numbered(label, i, RESOURCE_SETS.len()),
                "description": description,
                "created": timestamp(created),
                "lastUpdated": timestamp(between(rng, created, anchor)),
                "_links": {
                    "self": { "href": format!("{url}/api/v1/iam/resource-sets/{id}") },
                    "resources": { "href": format!("{url}/api/v1/iam/resource-sets/{id}/resources") },
                    "bindings": { "href": format!("{url}/api/v1/iam/resource-sets/{id}/bindings") },
                },
            })
        })
        .collect();

    let assign = |rng: &mut fastrand::Rng, kind: &str, holder: &str, role: Option<&str>| -> Value {
        let created = between(rng, since, anchor);
        let assignee = match kind {
            "USER" => format!("{url}/api/v1/users/{holder}"),
            _ => format!("{url}/api/v1/groups/{holder}"),
        };
        let custom = role
            .is_none()
            .then(|| (pick(rng, &custom_roles), pick(rng, &resource_sets)));
        match custom {
            Some((custom, set)) => json!({
                "id": okta_id(rng, "irb"),
                "label": custom["label"],
                "type": "CUSTOM",
                "status": "ACTIVE",
                "created": timestamp(created),
                "lastUpdated": timestamp(created),
                "assignmentType": kind,
                "resource-set": set["id"],
                "role": custom["id"],
                "_links": {
                    "assignee": { "href": assignee },
                    "role": { "href": format!("{url}/api/v1/iam/roles/{}", custom["id"].as_str().unwrap_or_default()) },
                    "resource-set": { "href": format!("{url}/api/v1/iam/resource-sets/{}", set["id"].as_str().unwrap_or_default()) },
                },
            }),
            None => {
                let role = role.unwrap_or("READ_ONLY_ADMIN");
                let label = STANDARD_ROLES
                    .iter()
                    .find(|(t, _)| *t == role)
                    .map_or(role, |(_, l)| l);
                json!({
                    "id": okta_id(rng, "ra1"),
                    "label": label,
                    "type": role,
                    "status": "ACTIVE",
                    "created": timestamp(created),
                    "lastUpdated": timestamp(created),
                    "assignmentType": kind,
                    "_links": { "assignee": { "href": assignee } },
                })
            }
        }
    };
    let can_customise = !custom_roles.is_empty() && !resource_sets.is_empty();

    // Admins: the first a super admin, the rest one or two other roles, every fourth a
    // custom role.
    let active: Vec<&Value> = users.iter().filter(|u| u["status"] == "ACTIVE").collect();
    let mut user_roles = BTreeMap::new();
    for (i, admin) in active.iter().take(sizes.admins).enumerate() {
        let id = admin["id"].as_str().unwrap_or_default();
        let mut held = Vec::new();
        if i == 0 {
            held.push(assign(rng, "USER", id, Some("SUPER_ADMIN")));
        } else {
            for _ in 0..rng.usize(1..=2) {
                let (role, _) = *pick(rng, &STANDARD_ROLES[1..]);
                if !held.iter().any(|r: &Value| r["type"] == role) {
                    held.push(assign(rng, "USER", id, Some(role)));
                }
            }
            if i % 4 == 3 && can_customise {
                held.push(assign(rng, "USER", id, None));
            }
        }
        user_roles.insert(id.to_owned(), held);
    }

    // Groups holding roles: IT (help desk, read-only) and, if there are custom roles, one team.
    let mut group_roles = BTreeMap::new();
    if let Some(it) = groups.iter().find(|g| g["profile"]["name"] == "IT") {
        let id = it["id"].as_str().unwrap_or_default();
        let roles = vec![
            assign(rng, "GROUP", id, Some("HELP_DESK_ADMIN")),
            assign(rng, "GROUP", id, Some("READ_ONLY_ADMIN")),
        ];
        group_roles.insert(id.to_owned(), roles);
    }
    let champions = groups
        .iter()
        .find(|g| g["type"] == "OKTA_GROUP" && g["profile"]["name"] == "Security Champions");
    if let Some(team) = champions.filter(|_| can_customise) {
        let id = team["id"].as_str().unwrap_or_default();
        group_roles.insert(id.to_owned(), vec![assign(rng, "GROUP", id, None)]);
    }

    let assignees = user_roles
        .keys()
        .map(|id| {
            json!({
                "id": id,
                "orn": format!("orn:okta:directory:{org_id}:users:{id}"),
                "_links": {
                    "self": { "href": format!("{url}/api/v1/users/{id}") },
                    "roles": { "href": format!("{url}/api/v1/users/{id}/roles") },
                },
            })
        })
        .collect();
    let mut custom_roles = custom_roles;
    custom_roles.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut resource_sets = resource_sets;
    resource_sets.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Roles {
        user_roles,
        group_roles,
        assignees,
        custom_roles,
        permissions,
        resource_sets,
    }
}

/// `label`, with a round number once the list of labels has been used up.
fn numbered(label: &str, i: usize, per_round: usize) -> String {
    match i / per_round {
        0 => label.to_owned(),
        round => format!("{label}{}", round + 1),
    }
}
