//! The typed columns of each resource's Parquet parts, declared as data.
//!
//! A resource's table is fixed, never inferred from the records: `raw` (the record as Okta sent
//! it, byte for byte, after the credential and PII policies), the parent's id or the listing
//! label for resources that have one (NDJSON adds it to the line), then the declared columns,
//! each a JSON pointer into the record and a type. Fields outside the declaration live only in
//! `raw` (Okta's `debugContext.debugData` alone would give every file another schema). A record
//! whose field is missing, null or of another type gets a null in that column; `raw` still has
//! it. Changing a table's columns bumps its `version`, which every part carries in its footer
//! (`okta_ingest.schema_version`).
//!
//! Adding a resource (or a derived one, such as an OCSF rendering of the System Log) is one
//! entry in [`TABLES`].

use crate::resources::Resource;

/// A column's type, as Arrow and Athena see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An RFC 3339 time, or a number of milliseconds since the epoch (OCSF's `time`), stored
    /// as UTC milliseconds.
    Timestamp,
    Integer,
    Double,
    Boolean,
    /// Strings gathered from every element of an array: the pointer holds one `*` step.
    TextList,
}

/// One typed column: its name, where its value is in the record, and its type.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// An RFC 6901 JSON pointer; for [`Kind::TextList`], with `*` for "every array element".
    pub pointer: &'static str,
    pub kind: Kind,
}

/// A resource's declared columns.
#[derive(Debug)]
pub struct Table {
    pub resource: &'static str,
    /// Bumped whenever `columns` change, so readers can tell files of different schemas apart.
    pub version: u32,
    pub columns: &'static [Column],
}

/// The column holding each record as written, byte for byte.
pub const RAW: &str = "raw";

const fn col(name: &'static str, pointer: &'static str, kind: Kind) -> Column {
    Column {
        name,
        pointer,
        kind,
    }
}

use Kind::{Boolean, Double, Integer, Text, TextList, Timestamp};

const ID: Column = col("id", "/id", Text);
const STATUS: Column = col("status", "/status", Text);
const CREATED: Column = col("created", "/created", Timestamp);
const LAST_UPDATED: Column = col("last_updated", "/lastUpdated", Timestamp);

/// An admin role assignment with its targets (`expand=targets/…`).
const ROLE_TARGETS: &[Column] = &[
    ID,
    col("type", "/type", Text),
    col("label", "/label", Text),
    STATUS,
    col("assignment_type", "/assignmentType", Text),
    col(
        "target_group_ids",
        "/_embedded/targets/groups/*/id",
        TextList,
    ),
    col(
        "target_app_names",
        "/_embedded/targets/catalog/apps/*/name",
        TextList,
    ),
    CREATED,
    LAST_UPDATED,
];

/// An event or inline hook: where it sends data.
const HOOK: &[Column] = &[
    ID,
    col("name", "/name", Text),
    col("type", "/type", Text),
    STATUS,
    col("verification_status", "/verificationStatus", Text),
    col("uri", "/channel/config/uri", Text),
    CREATED,
    LAST_UPDATED,
];

/// A user as `users` and `group_members` list it.
const USER: &[Column] = &[
    ID,
    STATUS,
    col("login", "/profile/login", Text),
    col("email", "/profile/email", Text),
    col("first_name", "/profile/firstName", Text),
    col("last_name", "/profile/lastName", Text),
    col("display_name", "/profile/displayName", Text),
    col("type_id", "/type/id", Text),
    CREATED,
    col("activated", "/activated", Timestamp),
    col("status_changed", "/statusChanged", Timestamp),
    col("last_login", "/lastLogin", Timestamp),
    LAST_UPDATED,
    col("password_changed", "/passwordChanged", Timestamp),
];

/// An admin role assignment (`user_roles`, `group_roles`).
const ROLE: &[Column] = &[
    ID,
    col("type", "/type", Text),
    col("label", "/label", Text),
    STATUS,
    col("assignment_type", "/assignmentType", Text),
    CREATED,
    LAST_UPDATED,
];

/// A policy or a policy rule.
const POLICY: &[Column] = &[
    ID,
    col("type", "/type", Text),
    col("name", "/name", Text),
    STATUS,
    col("priority", "/priority", Integer),
    col("system", "/system", Boolean),
    CREATED,
    LAST_UPDATED,
];

/// Objects with an id, a label and times (custom roles, resource sets).
const LABELLED: &[Column] = &[
    ID,
    col("label", "/label", Text),
    col("description", "/description", Text),
    CREATED,
    LAST_UPDATED,
];

/// Every resource's table; a test checks that each resource has exactly one.
pub static TABLES: &[Table] = &[
    Table {
        resource: "users",
        version: 1,
        columns: USER,
    },
    Table {
        resource: "user_factors",
        version: 1,
        columns: &[
            ID,
            col("factor_type", "/factorType", Text),
            col("provider", "/provider", Text),
            col("vendor_name", "/vendorName", Text),
            STATUS,
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "groups",
        version: 1,
        columns: &[
            ID,
            col("type", "/type", Text),
            col("name", "/profile/name", Text),
            col("description", "/profile/description", Text),
            col("users_count", "/_embedded/stats/usersCount", Integer),
            col("apps_count", "/_embedded/stats/appsCount", Integer),
            col(
                "has_admin_privilege",
                "/_embedded/stats/hasAdminPrivilege",
                Boolean,
            ),
            CREATED,
            LAST_UPDATED,
            col(
                "last_membership_updated",
                "/lastMembershipUpdated",
                Timestamp,
            ),
        ],
    },
    Table {
        resource: "group_members",
        version: 1,
        columns: USER,
    },
    Table {
        resource: "group_rules",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("type", "/type", Text),
            STATUS,
            col(
                "group_ids",
                "/actions/assignUserToGroups/groupIds/*",
                TextList,
            ),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "apps",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("label", "/label", Text),
            STATUS,
            col("sign_on_mode", "/signOnMode", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "app_users",
        version: 1,
        columns: &[
            ID,
            col("scope", "/scope", Text),
            STATUS,
            col("user_name", "/credentials/userName", Text),
            CREATED,
            col("status_changed", "/statusChanged", Timestamp),
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "app_groups",
        version: 1,
        columns: &[ID, col("priority", "/priority", Integer), LAST_UPDATED],
    },
    Table {
        resource: "app_grants",
        version: 1,
        columns: &[
            ID,
            STATUS,
            col("client_id", "/clientId", Text),
            col("user_id", "/userId", Text),
            col("scope_id", "/scopeId", Text),
            col("issuer", "/issuer", Text),
            col("source", "/source", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "role_assignees",
        version: 1,
        columns: &[ID, col("orn", "/orn", Text)],
    },
    Table {
        resource: "user_roles",
        version: 1,
        columns: ROLE,
    },
    Table {
        resource: "group_roles",
        version: 1,
        columns: ROLE,
    },
    Table {
        resource: "custom_roles",
        version: 1,
        columns: LABELLED,
    },
    Table {
        resource: "custom_role_permissions",
        version: 1,
        columns: &[col("label", "/label", Text), CREATED, LAST_UPDATED],
    },
    Table {
        resource: "resource_sets",
        version: 1,
        columns: LABELLED,
    },
    Table {
        resource: "policies",
        version: 1,
        columns: POLICY,
    },
    Table {
        resource: "policy_rules",
        version: 1,
        columns: POLICY,
    },
    Table {
        resource: "org",
        version: 1,
        columns: &[
            ID,
            col("subdomain", "/subdomain", Text),
            col("company_name", "/companyName", Text),
            STATUS,
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "org_settings",
        version: 1,
        columns: &[],
    },
    Table {
        resource: "org_contacts",
        version: 1,
        columns: &[
            col("contact_type", "/contactType", Text),
            col("user_id", "/userId", Text),
        ],
    },
    Table {
        resource: "domains",
        version: 1,
        columns: &[
            ID,
            col("domain", "/domain", Text),
            col("validation_status", "/validationStatus", Text),
            col("certificate_source_type", "/certificateSourceType", Text),
        ],
    },
    Table {
        resource: "devices",
        version: 1,
        columns: &[
            ID,
            STATUS,
            col("display_name", "/profile/displayName", Text),
            col("platform", "/profile/platform", Text),
            col("serial_number", "/profile/serialNumber", Text),
            col("registered", "/profile/registered", Boolean),
            col("user_ids", "/_embedded/users/*/user/id", TextList),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "idps",
        version: 1,
        columns: &[
            ID,
            col("type", "/type", Text),
            col("name", "/name", Text),
            STATUS,
            col("issuer_mode", "/issuerMode", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "network_zones",
        version: 1,
        columns: &[
            ID,
            col("type", "/type", Text),
            col("name", "/name", Text),
            STATUS,
            col("usage", "/usage", Text),
            col("system", "/system", Boolean),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "threat_insight",
        version: 1,
        columns: &[
            col("action", "/action", Text),
            col("exclude_zones", "/excludeZones/*", TextList),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "behaviors",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("type", "/type", Text),
            STATUS,
            CREATED,
            LAST_UPDATED,
        ],
    },
    // Posture resources (#16).
    Table {
        resource: "api_service_integrations",
        version: 1,
        columns: &[
            ID,
            col("type", "/type", Text),
            col("name", "/name", Text),
            col("granted_scopes", "/grantedScopes/*", TextList),
            col("created_at", "/createdAt", Timestamp),
            col("created_by", "/createdBy", Text),
        ],
    },
    Table {
        resource: "user_role_targets",
        version: 1,
        columns: ROLE_TARGETS,
    },
    Table {
        resource: "group_role_targets",
        version: 1,
        columns: ROLE_TARGETS,
    },
    Table {
        resource: "service_app_roles",
        version: 1,
        columns: &[
            ID,
            col("type", "/type", Text),
            col("label", "/label", Text),
            STATUS,
            col("assignment_type", "/assignmentType", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "resource_set_resources",
        version: 1,
        columns: &[ID, col("orn", "/orn", Text), CREATED, LAST_UPDATED],
    },
    Table {
        resource: "resource_set_bindings",
        version: 1,
        columns: &[ID, col("self", "/_links/self/href", Text)],
    },
    Table {
        resource: "resource_set_binding_members",
        version: 1,
        columns: &[
            ID,
            col("resource_set_id", "/resourceSetId", Text),
            col("member", "/_links/self/href", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "authorization_servers",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            STATUS,
            col("issuer", "/issuer", Text),
            col("issuer_mode", "/issuerMode", Text),
            col("audiences", "/audiences/*", TextList),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "authorization_server_policies",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            STATUS,
            col("type", "/type", Text),
            col("priority", "/priority", Integer),
            col(
                "clients_included",
                "/conditions/clients/include/*",
                TextList,
            ),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "authorization_server_policy_rules",
        version: 1,
        columns: &[
            ID,
            col("auth_server_id", "/authServerId", Text),
            col("name", "/name", Text),
            STATUS,
            col("type", "/type", Text),
            col("priority", "/priority", Integer),
            col("grant_types", "/conditions/grantTypes/include/*", TextList),
            col("scopes", "/conditions/scopes/include/*", TextList),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "authorization_server_scopes",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("consent", "/consent", Text),
            col("system", "/system", Boolean),
            col("default", "/default", Boolean),
        ],
    },
    Table {
        resource: "authorization_server_claims",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            STATUS,
            col("claim_type", "/claimType", Text),
            col("value_type", "/valueType", Text),
            col("value", "/value", Text),
            col("system", "/system", Boolean),
        ],
    },
    Table {
        resource: "org_contact_users",
        version: 1,
        columns: &[col("user_id", "/userId", Text)],
    },
    Table {
        resource: "api_tokens",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("user_id", "/userId", Text),
            col("client_name", "/clientName", Text),
            col("token_window", "/tokenWindow", Text),
            col("network_connection", "/network/connection", Text),
            CREATED,
            LAST_UPDATED,
            col("expires_at", "/expiresAt", Timestamp),
        ],
    },
    Table {
        resource: "authenticators",
        version: 1,
        columns: &[
            ID,
            col("key", "/key", Text),
            col("name", "/name", Text),
            col("type", "/type", Text),
            STATUS,
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "authenticator_methods",
        version: 1,
        columns: &[col("type", "/type", Text), STATUS],
    },
    Table {
        resource: "trusted_origins",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("origin", "/origin", Text),
            STATUS,
            col("scope_types", "/scopes/*/type", TextList),
            CREATED,
            LAST_UPDATED,
        ],
    },
    Table {
        resource: "event_hooks",
        version: 1,
        columns: HOOK,
    },
    Table {
        resource: "inline_hooks",
        version: 1,
        columns: HOOK,
    },
    Table {
        resource: "log_streams",
        version: 1,
        columns: &[
            ID,
            col("name", "/name", Text),
            col("type", "/type", Text),
            STATUS,
            col("host", "/settings/host", Text),
            col("account_id", "/settings/accountId", Text),
            col("region", "/settings/region", Text),
            CREATED,
            LAST_UPDATED,
        ],
    },
    // The System Log in OCSF 1.8.0 (crate::ocsf): the fields a query filters and joins on.
    Table {
        resource: "system_log_ocsf",
        version: 1,
        columns: &[
            col("time", "/time", Timestamp),
            col("class_uid", "/class_uid", Integer),
            col("class_name", "/class_name", Text),
            col("category_uid", "/category_uid", Integer),
            col("activity_id", "/activity_id", Integer),
            col("type_uid", "/type_uid", Integer),
            col("severity_id", "/severity_id", Integer),
            col("status_id", "/status_id", Integer),
            col("status", "/status", Text),
            col("event_code", "/metadata/event_code", Text),
            col("original_event_uid", "/metadata/original_event_uid", Text),
            col("actor_user_uid", "/actor/user/uid", Text),
            col("actor_user_name", "/actor/user/name", Text),
            col("user_uid", "/user/uid", Text),
            col("user_name", "/user/name", Text),
            col("src_ip", "/src_endpoint/ip", Text),
            col("src_country", "/src_endpoint/location/country", Text),
        ],
    },
    // The change feed (crate::changes): one record per change, its cause under /cause.
    Table {
        resource: "changes",
        version: 1,
        columns: &[
            col("resource", "/resource", Text),
            col("key", "/key", Text),
            ID,
            col("parent_id", "/parent_id", Text),
            col("change", "/change", Text),
            col("kind", "/kind", Text),
            col("severity", "/severity", Text),
            col("changed_paths", "/fields/*/path", TextList),
            col("from_run", "/from_run", Text),
            col("to_run", "/to_run", Text),
            col("window_start", "/window_start", Timestamp),
            col("window_end", "/window_end", Timestamp),
            col("event_uuid", "/cause/event_uuid", Text),
            col("event_type", "/cause/event_type", Text),
            col("published", "/cause/published", Timestamp),
            col("actor_id", "/cause/actor/id", Text),
            col("actor_login", "/cause/actor/alternate_id", Text),
            col("client_ip", "/cause/client_ip", Text),
            col("attribution", "/attribution", Text),
        ],
    },
    Table {
        resource: "system_log",
        version: 1,
        columns: &[
            col("uuid", "/uuid", Text),
            col("published", "/published", Timestamp),
            col("event_type", "/eventType", Text),
            col("severity", "/severity", Text),
            col("display_message", "/displayMessage", Text),
            col("actor_id", "/actor/id", Text),
            col("actor_type", "/actor/type", Text),
            col("actor_alternate_id", "/actor/alternateId", Text),
            col("actor_display_name", "/actor/displayName", Text),
            col("client_ip", "/client/ipAddress", Text),
            col("client_user_agent", "/client/userAgent/rawUserAgent", Text),
            col("client_zone", "/client/zone", Text),
            col("city", "/client/geographicalContext/city", Text),
            col("state", "/client/geographicalContext/state", Text),
            col("country", "/client/geographicalContext/country", Text),
            col(
                "latitude",
                "/client/geographicalContext/geolocation/lat",
                Double,
            ),
            col(
                "longitude",
                "/client/geographicalContext/geolocation/lon",
                Double,
            ),
            col("outcome_result", "/outcome/result", Text),
            col("outcome_reason", "/outcome/reason", Text),
            col("target_ids", "/target/*/id", TextList),
            col("target_types", "/target/*/type", TextList),
            col("transaction_id", "/transaction/id", Text),
            col(
                "external_session_id",
                "/authenticationContext/externalSessionId",
                Text,
            ),
        ],
    },
];

/// The declared table of a resource, if it has one.
pub fn table(resource: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.resource == resource)
}

/// The column that holds what the NDJSON line gains as its first field: the parent's id
/// (`userId` becomes `user_id`) or the listing label (`setting`).
pub fn added_column(resource: &Resource) -> Option<String> {
    resource
        .parent
        .as_ref()
        .map(|p| p.field)
        .or(resource.label)
        .map(snake_case)
}

/// `userId` → `user_id`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ALL;

    #[test]
    fn every_resource_declares_its_columns_once_with_distinct_names() {
        let resources: Vec<&Resource> = ALL.iter().flat_map(|g| g.resources.iter()).collect();
        let declared: Vec<&str> = TABLES.iter().map(|t| t.resource).collect();
        let names: Vec<&str> = resources.iter().map(|r| r.name).collect();
        for name in &names {
            assert_eq!(
                declared.iter().filter(|d| *d == name).count(),
                1,
                "{name}: one table in columns::TABLES"
            );
        }
        for resource in resources {
            let table = table(resource.name).unwrap();
            let mut all: Vec<String> = vec![RAW.into()];
            all.extend(added_column(resource));
            all.extend(table.columns.iter().map(|c| c.name.to_owned()));
            let mut unique = all.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), all.len(), "{}: {all:?}", resource.name);
            for c in table.columns {
                assert!(c.pointer.starts_with('/'), "{}.{}", resource.name, c.name);
                assert_eq!(
                    c.pointer.contains("/*"),
                    c.kind == Kind::TextList,
                    "{}.{}: a list and only a list steps into an array",
                    resource.name,
                    c.name
                );
                assert_eq!(snake_case(c.name), c.name);
            }
        }
    }

    #[test]
    fn parent_fields_become_snake_case_columns() {
        assert_eq!(snake_case("userId"), "user_id");
        assert_eq!(snake_case("setting"), "setting");
    }
}
