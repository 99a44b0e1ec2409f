//! The table of resources: what to read from Okta, and the groups (one Lambda each) that bundle them.
//!
//! A resource is data: its output name, endpoint, OAuth scope, largest page size, where the
//! records sit in the body, and, for child resources, which parent's ids it fans out over. A
//! child's parent may itself be a child (an authorization server's policies' rules): two levels
//! at most.
//! Adding a resource is adding an entry here (and to the simulator).
//!
//! This table is the only one: `okta-ingest resources` prints it as JSON, from which
//! `scripts/template.py` makes each function's write permissions, expiry rules and schedule,
//! and tests hold the README's table and the Athena DDL to it.

use crate::okta::Shape;

/// One kind of Okta object, landed under its own name.
#[derive(Debug)]
pub struct Resource {
    /// Output name: the first segment of its keys (`users`, `user_factors`, …).
    pub name: &'static str,
    /// The OAuth scope Okta checks for its endpoint.
    pub scope: &'static str,
    /// Endpoint path; `{id}` stands for the parent's id in child resources, and `{parent_id}`
    /// for the grandparent's in a child of a child.
    pub path: &'static str,
    /// The endpoint's largest page size, sent as `limit` on the first request.
    pub limit: Option<u32>,
    pub shape: Shape,
    /// One listing per entry, each appended to `path` for its first URL: a query (`?type=…`),
    /// a sub-path (`/preferences`) or nothing (`""`). Okta splits some collections: users by
    /// status, policies by type.
    pub listings: &'static [&'static str],
    /// Listings that may not exist on every org (policy types of Identity Engine, …): one that
    /// Okta refuses is noted in the manifest and the others still count as complete.
    pub optional_listings: bool,
    /// Adds this field to every record, holding the listing it came from (without its `/`),
    /// for resources that gather several single-object endpoints.
    pub label: Option<&'static str>,
    /// Listings that may overlap (a record changing while they are read): each id is written
    /// once.
    pub overlapping_listings: bool,
    /// Fields that hold a credential Okta returns (dotted paths, as in the PII controls): always
    /// dropped before a record is written, whatever the tenant's PII settings.
    pub secrets: &'static [&'static str],
    pub parent: Option<Parent>,
    /// Made from another resource's records as they are written, instead of read from Okta.
    pub derived: Option<Derived>,
    /// How an incremental run lists only what changed (a root with a change filter). A root
    /// without one is listed in full and compared with its previous records.
    pub changed_since: Option<ChangedSince>,
    /// A resource whose records are this one's objects too (a group member is a user): an
    /// incremental run refreshes the records it carries from that resource's changed ones.
    pub mirrors: Option<&'static str>,
}

/// A root's listing of what changed since a moment, and the fields it tests.
#[derive(Debug)]
pub struct ChangedSince {
    /// The listing (as in [`Resource::listings`]) with `{since}` for the moment, which is
    /// given URL-encoded.
    pub listing: &'static str,
    /// The timestamps (JSON pointers) the filter compares: a record with any of them at or
    /// after the moment is in the listing.
    pub fields: &'static [&'static str],
}

impl ChangedSince {
    /// Whether the filter lists `record` for `since`.
    pub fn lists(&self, record: &str, since: chrono::DateTime<chrono::Utc>) -> bool {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(record) else {
            return true;
        };
        let times: Vec<_> = self
            .fields
            .iter()
            .filter_map(|pointer| {
                let time = value.pointer(pointer)?.as_str()?;
                chrono::DateTime::parse_from_rfc3339(time).ok()
            })
            .collect();
        // A record with none of the timestamps cannot be ruled out.
        times.is_empty() || times.iter().any(|t| *t >= since)
    }
}

/// A resource written beside another, one record for each of its records, under the same
/// partitions and part names, before the other's checkpoint moves.
#[derive(Debug)]
pub struct Derived {
    /// The resource whose records (as written: after the PII controls) it is made from.
    pub from: &'static str,
    /// One record of `from` → its record here.
    pub map: fn(&str) -> Result<String, String>,
}

/// The scopes the integration asks every customer to grant. A tenant is Active when the
/// resources under them answer; a resource that needs any other scope is optional: a customer
/// may grant it in the same API scopes tab, and without it only that resource is skipped.
pub const INTEGRATION_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.groups.read",
    "okta.apps.read",
    "okta.appGrants.read",
    "okta.roles.read",
    "okta.policies.read",
    "okta.orgs.read",
    "okta.domains.read",
    "okta.devices.read",
    "okta.idps.read",
    "okta.networkZones.read",
    "okta.threatInsights.read",
    "okta.behaviors.read",
    "okta.logs.read",
];

impl Resource {
    /// Every scope a run of this resource needs: its own and its ancestors'.
    pub fn scopes(&self) -> Vec<&'static str> {
        let mut scopes: Vec<_> = self.lineage().iter().map(|r| r.scope).collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    /// The resource and its ancestors, itself first.
    pub fn lineage(&self) -> Vec<&Resource> {
        std::iter::successors(Some(self), |r| {
            r.parent.as_ref().and_then(|p| find(p.resource))
        })
        .collect()
    }

    /// The path for one parent. A child of a child is given `{grandparent id}/{parent id}`
    /// (Okta's ids hold no `/`), the first for `{parent_id}`.
    pub fn path_for(&self, id: &str) -> String {
        match id.split_once('/') {
            Some((outer, inner)) if self.path.contains("{parent_id}") => self
                .path
                .replace("{parent_id}", outer)
                .replace("{id}", inner),
            _ => self.path.replace("{id}", id),
        }
    }

    /// Whether the resource needs a scope beyond the integration's own (see
    /// [`INTEGRATION_SCOPES`]), so that its absence does not make a tenant inactive.
    pub fn optional(&self) -> bool {
        self.scopes()
            .iter()
            .any(|s| !INTEGRATION_SCOPES.contains(s))
    }

    /// The first URL of a listing (relative to the org): `path`, the listing's suffix, `limit`.
    pub fn first_url(&self, path: &str, listing: &str, limit: Option<u32>) -> String {
        let url = format!("{path}{listing}");
        match limit {
            None => url,
            Some(limit) if url.contains('?') => format!("{url}&limit={limit}"),
            Some(limit) => format!("{url}?limit={limit}"),
        }
    }
}

/// How a child resource hangs off its parent.
#[derive(Debug)]
pub struct Parent {
    /// The parent resource's name (in any group: a group reads a foreign parent for ids only;
    /// a child of a child is in its parent's group).
    pub resource: &'static str,
    /// The field added to each child record with the parent's id (`userId`, `groupId`, …).
    pub field: &'static str,
    /// Where the id the child's path needs sits in a parent record (a JSON pointer): `/id`
    /// but for parents known by another key (an OAuth client's `client_id`, a contact's type).
    pub key: &'static str,
    /// Which parents are worth a request.
    pub select: Select,
}

impl Parent {
    /// The id of a parent record for the child's path, if the record has one.
    pub fn id_of(&self, record: &str) -> Option<String> {
        if self.key == "/id" {
            #[derive(serde::Deserialize)]
            struct Id<'a> {
                #[serde(borrow)]
                id: std::borrow::Cow<'a, str>,
            }
            return serde_json::from_str::<Id>(record)
                .ok()
                .map(|r| r.id.into_owned());
        }
        let value: serde_json::Value = serde_json::from_str(record).ok()?;
        value.pointer(self.key)?.as_str().map(str::to_owned)
    }
}

/// A test on a parent record, so fan-out skips calls whose answer is known to be empty.
#[derive(Debug, Clone, Copy)]
pub enum Select {
    All,
    /// The field at this JSON pointer is one of these strings.
    OneOf(&'static str, &'static [&'static str]),
    /// The field at this JSON pointer is absent or none of these strings.
    NoneOf(&'static str, &'static [&'static str]),
    /// The number at this JSON pointer is absent or above zero (e.g. a group's member count).
    NotZero(&'static str),
    /// The flag at this JSON pointer is absent or true (e.g. a group's `hasAdminPrivilege`).
    NotFalse(&'static str),
}

impl Select {
    /// True if a parent record passes the test.
    pub fn accepts(&self, record: &str) -> bool {
        let pointer = match self {
            Select::All => return true,
            Select::OneOf(p, _)
            | Select::NoneOf(p, _)
            | Select::NotZero(p)
            | Select::NotFalse(p) => p,
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(record) else {
            return true;
        };
        match (self, value.pointer(pointer)) {
            (Select::OneOf(_, allowed), Some(v)) => {
                v.as_str().is_some_and(|v| allowed.contains(&v))
            }
            (Select::OneOf(..), None) => false,
            (Select::NoneOf(_, refused), v) => !v
                .and_then(|v| v.as_str())
                .is_some_and(|v| refused.contains(&v)),
            (Select::NotZero(_), v) => v.and_then(|v| v.as_u64()) != Some(0),
            (Select::NotFalse(_), v) => v.and_then(|v| v.as_bool()) != Some(false),
            (Select::All, _) => true,
        }
    }
}

/// The resources one function reads together, under one schedule.
#[derive(Debug)]
pub struct Group {
    /// `users` → function `okta-users`, CLI `--resources users`.
    pub name: &'static str,
    pub kind: Kind,
    /// What the function reads, in a few words (the template's description of it).
    pub summary: &'static str,
    /// The EventBridge schedule it is deployed with (a stack parameter's default).
    pub schedule: &'static str,
    /// Its Lambda timeout in seconds (a stack parameter's default).
    pub timeout_secs: u32,
    /// Whether its runs may be incremental (see [`crate::refresh`]): only what changed is
    /// read, and the rest taken over from the last complete state.
    pub incremental: bool,
    pub resources: &'static [Resource],
}

/// How a group's resources are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A full listing each run: a snapshot under `run=…`, with a manifest.
    Snapshot,
    /// A continuous event stream with a checkpoint: partitioned by event time.
    EventLog,
}

impl Kind {
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Snapshot => "snapshot",
            Kind::EventLog => "event_log",
        }
    }
}

impl Group {
    pub fn function_name(&self) -> String {
        format!("okta-{}", self.name)
    }

    /// Every scope the group's resources (and the foreign parents they fan out over) need,
    /// and the System Log's for a group whose runs may be incremental.
    pub fn scopes(&self) -> Vec<&'static str> {
        let mut scopes: Vec<_> = self.resources.iter().flat_map(Resource::scopes).collect();
        if self.incremental {
            scopes.push("okta.logs.read");
        }
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    pub fn resource(&self, name: &str) -> Option<&'static Resource> {
        self.resources.iter().find(|r| r.name == name)
    }

    /// The resources written beside `from`, made from its records.
    pub fn derived_from(&self, from: &str) -> Vec<&'static Resource> {
        self.resources
            .iter()
            .filter(|r| r.derived.as_ref().is_some_and(|d| d.from == from))
            .collect()
    }
}

/// A resource by name, in any group.
pub fn find(name: &str) -> Option<&'static Resource> {
    ALL.iter().find_map(|g| g.resource(name))
}

const PLAIN: &[&str] = &[""];

/// A top-level listing, the common case.
const fn listing(
    name: &'static str,
    scope: &'static str,
    path: &'static str,
    limit: Option<u32>,
    shape: Shape,
) -> Resource {
    Resource {
        name,
        scope,
        path,
        limit,
        shape,
        listings: PLAIN,
        optional_listings: false,
        label: None,
        overlapping_listings: false,
        secrets: &[],
        parent: None,
        derived: None,
        changed_since: None,
        mirrors: None,
    }
}

/// A listing per parent record: `path` has `{id}`, records get the parent's id.
const fn child(
    name: &'static str,
    scope: &'static str,
    path: &'static str,
    limit: Option<u32>,
    shape: Shape,
    parent: Parent,
) -> Resource {
    Resource {
        name,
        scope,
        path,
        limit,
        shape,
        listings: PLAIN,
        optional_listings: false,
        label: None,
        overlapping_listings: false,
        secrets: &[],
        parent: Some(parent),
        derived: None,
        changed_since: None,
        mirrors: None,
    }
}

/// The parent `resource`, whose id each child record gets as `field`.
const fn of(resource: &'static str, field: &'static str, select: Select) -> Parent {
    Parent {
        resource,
        field,
        key: "/id",
        select,
    }
}

pub const USERS: Group = Group {
    name: "users",
    kind: Kind::Snapshot,
    summary: "users and their factors",
    schedule: "rate(1 hour)",
    timeout_secs: 900,
    incremental: true,
    resources: &[
        Resource {
            // The plain list omits DEPROVISIONED users; a search is the only way to get them.
            // A user deactivated between the two is in both.
            listings: &["", "?search=status%20eq%20%22DEPROVISIONED%22"],
            overlapping_listings: true,
            // A filter lists DEPROVISIONED users too, so one listing finds every change.
            changed_since: Some(ChangedSince {
                listing: "?filter=lastUpdated%20ge%20%22{since}%22",
                fields: &["/lastUpdated"],
            }),
            ..listing(
                "users",
                "okta.users.read",
                "/api/v1/users",
                Some(200),
                Shape::Array,
            )
        },
        // Okta answers 404 for a DEPROVISIONED user's factors. On Identity Engine it lists
        // only the factors of the highest-priority enrollment policy (see the README).
        child(
            "user_factors",
            "okta.users.read",
            "/api/v1/users/{id}/factors",
            None,
            Shape::Array,
            of(
                "users",
                "userId",
                Select::NoneOf("/status", &["DEPROVISIONED"]),
            ),
        ),
    ],
};

pub const GROUPS: Group = Group {
    name: "groups",
    kind: Kind::Snapshot,
    summary: "groups, members and group rules",
    schedule: "rate(1 hour)",
    timeout_secs: 900,
    incremental: true,
    resources: &[
        Resource {
            // `expand=stats` adds each group's member count, so empty groups cost no request.
            // 200: Okta's recommended maximum (larger pages of groups time out).
            listings: &["?expand=stats"],
            // A member added or removed moves `lastMembershipUpdated`, not `lastUpdated`.
            changed_since: Some(ChangedSince {
                listing: "?expand=stats&filter=lastUpdated%20ge%20%22{since}%22%20or%20lastMembershipUpdated%20ge%20%22{since}%22",
                fields: &["/lastUpdated", "/lastMembershipUpdated"],
            }),
            ..listing(
                "groups",
                "okta.groups.read",
                "/api/v1/groups",
                Some(200),
                Shape::Array,
            )
        },
        // 200, not the 1000 Okta allows: the spec recommends it (larger pages of full users
        // time out on big groups), and a page that still times out is asked for smaller.
        // A member is a full user object: one that changed is refreshed from the users
        // that changed, without reading its groups again.
        Resource {
            mirrors: Some("users"),
            ..child(
                "group_members",
                "okta.groups.read",
                "/api/v1/groups/{id}/users",
                Some(200),
                Shape::Array,
                of(
                    "groups",
                    "groupId",
                    Select::NotZero("/_embedded/stats/usersCount"),
                ),
            )
        },
        listing(
            "group_rules",
            "okta.groups.read",
            "/api/v1/groups/rules",
            Some(200),
            Shape::Array,
        ),
    ],
};

pub const APPS: Group = Group {
    name: "apps",
    kind: Kind::Snapshot,
    summary: "apps, assignments, OAuth grants, API service integrations",
    schedule: "rate(1 hour)",
    timeout_secs: 900,
    incremental: true,
    resources: &[
        Resource {
            // Okta shows an OAuth client's secret only on create and update, but a record
            // that carries one must not be written.
            secrets: &["credentials.oauthClient.client_secret"],
            ..listing(
                "apps",
                "okta.apps.read",
                "/api/v1/apps",
                Some(200),
                Shape::Array,
            )
        },
        child(
            "app_users",
            "okta.apps.read",
            "/api/v1/apps/{id}/users",
            Some(500),
            Shape::Array,
            of("apps", "appId", Select::All),
        ),
        child(
            "app_groups",
            "okta.apps.read",
            "/api/v1/apps/{id}/groups",
            Some(200),
            Shape::Array,
            of("apps", "appId", Select::All),
        ),
        // Scope-consent grants exist only for OAuth clients.
        child(
            "app_grants",
            "okta.appGrants.read",
            "/api/v1/apps/{id}/grants",
            None,
            Shape::Array,
            of(
                "apps",
                "appId",
                Select::OneOf("/signOnMode", &["OPENID_CONNECT"]),
            ),
        ),
        Resource {
            // Okta returns the secret only when the integration is created; a record that
            // carries one must not be written.
            secrets: &["clientSecret"],
            ..listing(
                "api_service_integrations",
                "okta.oauthIntegrations.read",
                "/integrations/api/v1/api-services",
                None,
                Shape::Array,
            )
        },
    ],
};

pub const ROLES: Group = Group {
    name: "roles",
    kind: Kind::Snapshot,
    summary: "admin roles of users, groups and service apps, their targets, custom roles, resource sets",
    schedule: "rate(1 day)",
    timeout_secs: 900,
    incremental: false,
    resources: &[
        // Only users who hold a role: one request each instead of one per user.
        listing(
            "role_assignees",
            "okta.roles.read",
            "/api/v1/iam/assignees/users",
            Some(100),
            Shape::Field("value"),
        ),
        child(
            "user_roles",
            "okta.roles.read",
            "/api/v1/users/{id}/roles",
            None,
            Shape::Array,
            of("role_assignees", "userId", Select::All),
        ),
        // The same assignments with their targets (the groups and apps a scoped role covers)
        // embedded: `expand` takes one kind at a time, so one listing each. A role with
        // neither kind of target is not scoped.
        Resource {
            listings: ROLE_TARGETS,
            ..child(
                "user_role_targets",
                "okta.roles.read",
                "/api/v1/users/{id}/roles",
                None,
                Shape::Array,
                of("role_assignees", "userId", Select::All),
            )
        },
        // Okta has no list of groups holding roles, but `expand=stats` on the groups (read
        // here for their ids only) says which hold admin privileges.
        child(
            "group_roles",
            "okta.roles.read",
            "/api/v1/groups/{id}/roles",
            None,
            Shape::Array,
            of(
                "groups",
                "groupId",
                Select::NotFalse("/_embedded/stats/hasAdminPrivilege"),
            ),
        ),
        Resource {
            listings: ROLE_TARGETS,
            ..child(
                "group_role_targets",
                "okta.roles.read",
                "/api/v1/groups/{id}/roles",
                None,
                Shape::Array,
                of(
                    "groups",
                    "groupId",
                    Select::NotFalse("/_embedded/stats/hasAdminPrivilege"),
                ),
            )
        },
        // Roles held by OAuth service apps, which act without a user. The path takes the
        // client id, which is the app's id unless a custom one was set at creation.
        child(
            "service_app_roles",
            "okta.roles.read",
            "/oauth2/v1/clients/{id}/roles",
            None,
            Shape::Array,
            Parent {
                key: "/credentials/oauthClient/client_id",
                ..of(
                    "apps",
                    "clientId",
                    Select::OneOf("/settings/oauthClient/application_type", &["service"]),
                )
            },
        ),
        listing(
            "custom_roles",
            "okta.roles.read",
            "/api/v1/iam/roles",
            None,
            Shape::Field("roles"),
        ),
        child(
            "custom_role_permissions",
            "okta.roles.read",
            "/api/v1/iam/roles/{id}/permissions",
            None,
            Shape::Field("permissions"),
            of("custom_roles", "roleId", Select::All),
        ),
        listing(
            "resource_sets",
            "okta.roles.read",
            "/api/v1/iam/resource-sets",
            None,
            Shape::Field("resource-sets"),
        ),
        // 100 is the spec's default; it names no maximum.
        child(
            "resource_set_resources",
            "okta.roles.read",
            "/api/v1/iam/resource-sets/{id}/resources",
            Some(100),
            Shape::Field("resources"),
            of("resource_sets", "resourceSetId", Select::All),
        ),
        // Which roles each resource set is bound to (takes only `after`).
        child(
            "resource_set_bindings",
            "okta.roles.read",
            "/api/v1/iam/resource-sets/{id}/bindings",
            None,
            Shape::Field("roles"),
            of("resource_sets", "resourceSetId", Select::All),
        ),
        // Who holds each binding (the users and groups assigned the role over the set). Records
        // get `resourceSetId` and `roleId`.
        child(
            "resource_set_binding_members",
            "okta.roles.read",
            "/api/v1/iam/resource-sets/{parent_id}/bindings/{id}/members",
            None,
            Shape::Field("members"),
            of("resource_set_bindings", "roleId", Select::All),
        ),
    ],
};

/// The two kinds of role target `expand` embeds, one listing each.
const ROLE_TARGETS: &[&str] = &["?expand=targets/groups", "?expand=targets/catalog/apps"];

pub const POLICIES: Group = Group {
    name: "policies",
    kind: Kind::Snapshot,
    summary: "policies of every type and their rules, authorization servers",
    schedule: "rate(1 day)",
    timeout_secs: 900,
    incremental: false,
    resources: &[
        Resource {
            // `type` is required: one listing per type. Identity Engine types are absent on
            // Classic orgs and some are early access, hence optional.
            listings: &[
                "?type=OKTA_SIGN_ON",
                "?type=PASSWORD",
                "?type=MFA_ENROLL",
                "?type=IDP_DISCOVERY",
                "?type=ACCESS_POLICY",
                "?type=PROFILE_ENROLLMENT",
                "?type=POST_AUTH_SESSION",
                "?type=ENTITY_RISK",
                "?type=SESSION_VIOLATION_DETECTION",
                "?type=CLIENT_UPDATE",
                "?type=DEVICE_SIGNAL_COLLECTION",
                "?type=IDENTITY_CLAIM_SOURCING",
            ],
            optional_listings: true,
            ..listing(
                "policies",
                "okta.policies.read",
                "/api/v1/policies",
                None,
                Shape::Array,
            )
        },
        child(
            "policy_rules",
            "okta.policies.read",
            "/api/v1/policies/{id}/rules",
            None,
            Shape::Array,
            of("policies", "policyId", Select::All),
        ),
        listing(
            "authorization_servers",
            "okta.authorizationServers.read",
            "/api/v1/authorizationServers",
            Some(200),
            Shape::Array,
        ),
        child(
            "authorization_server_policies",
            "okta.authorizationServers.read",
            "/api/v1/authorizationServers/{id}/policies",
            None,
            Shape::Array,
            of("authorization_servers", "authServerId", Select::All),
        ),
        // Two levels down: each policy's rules, for every server. Records get `authServerId` and
        // `policyId`.
        child(
            "authorization_server_policy_rules",
            "okta.authorizationServers.read",
            "/api/v1/authorizationServers/{parent_id}/policies/{id}/rules",
            None,
            Shape::Array,
            of("authorization_server_policies", "policyId", Select::All),
        ),
        child(
            "authorization_server_scopes",
            "okta.authorizationServers.read",
            "/api/v1/authorizationServers/{id}/scopes",
            Some(200),
            Shape::Array,
            of("authorization_servers", "authServerId", Select::All),
        ),
        child(
            "authorization_server_claims",
            "okta.authorizationServers.read",
            "/api/v1/authorizationServers/{id}/claims",
            None,
            Shape::Array,
            of("authorization_servers", "authServerId", Select::All),
        ),
    ],
};

pub const ORG: Group = Group {
    name: "org",
    kind: Kind::Snapshot,
    summary: "org profile, settings, contacts, domains",
    schedule: "rate(1 day)",
    timeout_secs: 900,
    incremental: false,
    resources: &[
        listing("org", "okta.orgs.read", "/api/v1/org", None, Shape::Object),
        Resource {
            // Settings that say who can reach the org: Okta Support access, third-party
            // admins, what public clients may do, contacts. Each line says which it is.
            listings: &[
                "/privacy/oktaSupport",
                "/orgSettings/thirdPartyAdminSetting",
                "/settings/clientPrivilegesSetting",
                "/settings/autoAssignAdminAppSetting",
                "/preferences",
                "/privacy/oktaCommunication",
            ],
            optional_listings: true,
            label: Some("setting"),
            ..listing(
                "org_settings",
                "okta.orgs.read",
                "/api/v1/org",
                None,
                Shape::Object,
            )
        },
        listing(
            "org_contacts",
            "okta.orgs.read",
            "/api/v1/org/contacts",
            None,
            Shape::Array,
        ),
        // Contacts are known by their type (BILLING, TECHNICAL), not an id.
        child(
            "org_contact_users",
            "okta.orgs.read",
            "/api/v1/org/contacts/{id}",
            None,
            Shape::Object,
            Parent {
                key: "/contactType",
                ..of("org_contacts", "contactType", Select::All)
            },
        ),
        listing(
            "domains",
            "okta.domains.read",
            "/api/v1/domains",
            None,
            Shape::Field("domains"),
        ),
    ],
};

pub const DEVICES: Group = Group {
    name: "devices",
    kind: Kind::Snapshot,
    summary: "devices (Identity Engine)",
    schedule: "rate(1 day)",
    timeout_secs: 900,
    incremental: false,
    resources: &[Resource {
        listings: &["?expand=user"],
        ..listing(
            "devices",
            "okta.devices.read",
            "/api/v1/devices",
            Some(200),
            Shape::Array,
        )
    }],
};

pub const SECURITY: Group = Group {
    name: "security",
    kind: Kind::Snapshot,
    summary: "IdPs, network zones, ThreatInsight, behaviors, API tokens, authenticators, trusted origins, hooks, log streams",
    schedule: "rate(1 day)",
    timeout_secs: 900,
    incremental: false,
    resources: &[
        Resource {
            // Okta returns an OIDC IdP's client secret in the clear (the spec's examples do).
            secrets: &["protocol.credentials.client.client_secret"],
            ..listing(
                "idps",
                "okta.idps.read",
                "/api/v1/idps",
                Some(200),
                Shape::Array,
            )
        },
        listing(
            "network_zones",
            "okta.networkZones.read",
            "/api/v1/zones",
            None,
            Shape::Array,
        ),
        listing(
            "threat_insight",
            "okta.threatInsights.read",
            "/api/v1/threats/configuration",
            None,
            Shape::Object,
        ),
        listing(
            "behaviors",
            "okta.behaviors.read",
            "/api/v1/behaviors",
            None,
            Shape::Array,
        ),
        // Metadata only: Okta never returns a token's value.
        listing(
            "api_tokens",
            "okta.apiTokens.read",
            "/api/v1/api-tokens",
            None,
            Shape::Array,
        ),
        listing(
            "authenticators",
            "okta.authenticators.read",
            "/api/v1/authenticators",
            None,
            Shape::Array,
        ),
        child(
            "authenticator_methods",
            "okta.authenticators.read",
            "/api/v1/authenticators/{id}/methods",
            None,
            Shape::Array,
            of("authenticators", "authenticatorId", Select::All),
        ),
        listing(
            "trusted_origins",
            "okta.trustedOrigins.read",
            "/api/v1/trustedOrigins",
            Some(200),
            Shape::Array,
        ),
        // Hooks and log streams send data out of the org. The header a hook authenticates
        // with (and any other header value) is a credential of the receiving service.
        Resource {
            secrets: HOOK_SECRETS,
            ..listing(
                "event_hooks",
                "okta.eventHooks.read",
                "/api/v1/eventHooks",
                None,
                Shape::Array,
            )
        },
        Resource {
            secrets: HOOK_SECRETS,
            ..listing(
                "inline_hooks",
                "okta.inlineHooks.read",
                "/api/v1/inlineHooks",
                None,
                Shape::Array,
            )
        },
        Resource {
            // A Splunk stream's HEC token.
            secrets: &["settings.token"],
            ..listing(
                "log_streams",
                "okta.logStreams.read",
                "/api/v1/logStreams",
                Some(200),
                Shape::Array,
            )
        },
    ],
};

/// A hook's authentication header value and its other header values, and an OAuth inline
/// hook's client secret.
const HOOK_SECRETS: &[&str] = &[
    "channel.config.authScheme.value",
    "channel.config.headers[].value",
    "channel.config.clientSecret",
];

pub const LOGS: Group = Group {
    name: "logs",
    kind: Kind::EventLog,
    summary: "the System Log, continuously",
    schedule: "rate(5 minutes)",
    timeout_secs: 300,
    incremental: false,
    resources: &[
        listing(
            "system_log",
            "okta.logs.read",
            "/api/v1/logs",
            Some(1000),
            Shape::Array,
        ),
        // Written with each page of the System Log, never on its own.
        Resource {
            derived: Some(Derived {
                from: "system_log",
                map: crate::ocsf::record,
            }),
            ..listing(
                "system_log_ocsf",
                "okta.logs.read",
                "/api/v1/logs",
                None,
                Shape::Array,
            )
        },
    ],
};

/// Every group, in the order `--resources all` runs them.
pub const ALL: &[&Group] = &[
    &USERS, &GROUPS, &APPS, &ROLES, &POLICIES, &ORG, &DEVICES, &SECURITY, &LOGS,
];

/// The change feed: written by every snapshot group beside its resources, and reading, for
/// attribution and for naming admin groups, other groups' output.
pub struct ChangeFeed {
    /// Its output name: `changes/…`, `_manifests/changes/…`.
    pub name: &'static str,
    /// The System Log, whose events say who made a change.
    pub events: &'static str,
    /// The resource whose groups hold admin roles.
    pub admin_groups: &'static str,
}

pub const CHANGE_FEED: ChangeFeed = ChangeFeed {
    name: "changes",
    events: "system_log",
    admin_groups: "group_roles",
};

/// The whole table as JSON, for the template generator, scripts and readers: every group with
/// its function, schedule and timeout, every resource with its endpoint, scope, page size,
/// parent and whether it is optional, and the integration's own scopes.
pub fn describe() -> serde_json::Value {
    let resource = |group: &Group, r: &Resource| {
        serde_json::json!({
            "name": r.name,
            "group": group.name,
            "kind": group.kind.label(),
            "scope": r.scope,
            "path": r.path,
            "listings": r.listings,
            "limit": r.limit,
            "optional": r.optional(),
            "parent": r.parent.as_ref().map(|p| serde_json::json!({
                "resource": p.resource,
                "field": p.field,
                "key": p.key,
            })),
            "derived_from": r.derived.as_ref().map(|d| d.from),
        })
    };
    let groups: Vec<serde_json::Value> = ALL
        .iter()
        .map(|g| {
            serde_json::json!({
                "name": g.name,
                "function": g.function_name(),
                "kind": g.kind.label(),
                "summary": g.summary,
                "schedule": g.schedule,
                "timeout_secs": g.timeout_secs,
                "scopes": g.scopes(),
                "resources": g.resources.iter().map(|r| resource(g, r)).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "groups": groups,
        "integration_scopes": INTEGRATION_SCOPES,
        "change_feed": {
            "name": CHANGE_FEED.name,
            "written_by": "snapshot",
            // Key prefixes it reads: the events, the admin roles' parts and their base.
            "reads": [
                format!("{}/", CHANGE_FEED.events),
                format!("{}/", CHANGE_FEED.admin_groups),
                format!("_state/{}/", CHANGE_FEED.admin_groups),
            ],
        },
    })
}

/// Finds a group by name (`users`) or function name (`okta-users`).
pub fn group(name: &str) -> Option<&'static Group> {
    let name = name.strip_prefix("okta-").unwrap_or(name);
    ALL.iter().copied().find(|g| g.name == name)
}

/// Resolves a `--resources` list: resource names, groups by function name (`okta-users`), or
/// `all`. A resource's name means that resource alone, even where a group has the same name
/// (`users` is both); a group's bare name that no resource has (`roles`) is refused with its
/// function name, so that no word means a group in one place and a resource in another.
/// Returns the groups to run, each with the resource names selected in it, in table order.
pub fn select(list: &str) -> Result<Vec<(&'static Group, Vec<&'static str>)>, String> {
    let mut picked: Vec<(&'static Group, Vec<&'static str>)> = Vec::new();
    let mut add = |group: &'static Group, names: Vec<&'static str>| match picked
        .iter_mut()
        .find(|(g, _)| g.name == group.name)
    {
        Some((_, have)) => have.extend(names),
        None => picked.push((group, names)),
    };
    let whole = |g: &Group| g.resources.iter().map(|r| r.name).collect::<Vec<_>>();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if word == "all" {
            for g in ALL {
                add(g, whole(g));
            }
        } else if let Some((g, r)) = ALL.iter().find_map(|g| g.resource(word).map(|r| (*g, r))) {
            add(g, vec![r.name]);
        } else if let Some(g) = word.strip_prefix("okta-").and_then(group) {
            add(g, whole(g));
        } else if let Some(g) = group(word) {
            return Err(format!(
                "{word:?} is a group: name it by its function, {}",
                g.function_name()
            ));
        } else {
            let known: Vec<String> = ALL
                .iter()
                .flat_map(|g| {
                    std::iter::once(g.function_name())
                        .chain(g.resources.iter().map(|r| r.name.to_owned()))
                })
                .collect();
            return Err(format!(
                "unknown resource {word:?}; known: all, {}",
                known.join(", ")
            ));
        }
    }
    if picked.is_empty() {
        return Err("no resources named".into());
    }
    // Table order, no repeats: the order the harvest runs and reports them in.
    Ok(ALL
        .iter()
        .filter_map(|g| {
            let (_, names) = picked.iter().find(|(p, _)| p.name == g.name)?;
            let names = g
                .resources
                .iter()
                .map(|r| r.name)
                .filter(|n| names.contains(n))
                .collect();
            Some((*g, names))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_fan_out_is_two_levels_at_most() {
        let mut names: Vec<&str> = ALL
            .iter()
            .flat_map(|g| g.resources.iter().map(|r| r.name))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "resource names must be unique");
        for g in ALL {
            for (i, r) in g.resources.iter().enumerate() {
                if let Some(p) = &r.parent {
                    let parent = find(p.resource)
                        .unwrap_or_else(|| panic!("{}: no parent {}", r.name, p.resource));
                    match &parent.parent {
                        None => assert!(!r.path.contains("{parent_id}"), "{}", r.name),
                        Some(grand) => {
                            let grand = find(grand.resource).unwrap();
                            assert!(grand.parent.is_none(), "{}: two levels at most", r.name);
                            assert!(r.path.contains("{parent_id}"), "{}", r.name);
                            assert!(
                                g.resource(p.resource).is_some(),
                                "{}: in its parent's group",
                                r.name
                            );
                        }
                    }
                    if let Some(own) = g.resource(p.resource) {
                        let at = g.resources.iter().position(|e| e.name == own.name).unwrap();
                        assert!(at < i, "{}: parent {} must come first", r.name, p.resource);
                    }
                    assert!(r.path.contains("{id}"), "{}", r.name);
                }
            }
        }
    }

    #[test]
    fn a_foreign_parent_brings_its_scope() {
        assert!(ROLES.scopes().contains(&"okta.groups.read"));
        assert!(
            ROLES.scopes().contains(&"okta.apps.read"),
            "service apps' roles"
        );
        assert_eq!(
            APPS.scopes(),
            vec![
                "okta.appGrants.read",
                "okta.apps.read",
                "okta.logs.read",
                "okta.oauthIntegrations.read"
            ],
            "an incremental run reads the System Log"
        );
    }

    #[test]
    fn resources_beyond_the_integrations_scopes_are_optional() {
        assert_eq!(INTEGRATION_SCOPES.len(), 14);
        let optional: Vec<&str> = ALL
            .iter()
            .flat_map(|g| g.resources)
            .filter(|r| r.optional())
            .map(|r| r.name)
            .collect();
        assert_eq!(
            optional,
            vec![
                "api_service_integrations",
                "authorization_servers",
                "authorization_server_policies",
                "authorization_server_policy_rules",
                "authorization_server_scopes",
                "authorization_server_claims",
                "api_tokens",
                "authenticators",
                "authenticator_methods",
                "trusted_origins",
                "event_hooks",
                "inline_hooks",
                "log_streams",
            ]
        );
        // Under the integration's scopes, even with a parent in another group.
        assert!(!find("service_app_roles").unwrap().optional());
        assert!(!find("org_contact_users").unwrap().optional());
    }

    #[test]
    fn a_child_of_a_child_gets_both_ids() {
        let rules = find("authorization_server_policy_rules").unwrap();
        assert_eq!(
            rules.path_for("aus1/00p2"),
            "/api/v1/authorizationServers/aus1/policies/00p2/rules"
        );
        assert_eq!(
            find("user_factors").unwrap().path_for("00u1"),
            "/api/v1/users/00u1/factors"
        );
        let names: Vec<&str> = rules.lineage().iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            vec![
                "authorization_server_policy_rules",
                "authorization_server_policies",
                "authorization_servers"
            ]
        );
    }

    #[test]
    fn a_parent_is_known_by_its_key() {
        let clients = &find("service_app_roles").unwrap().parent.as_ref().unwrap();
        let app = r#"{"id":"0oa1","credentials":{"oauthClient":{"client_id":"custom-id"}}}"#;
        assert_eq!(clients.id_of(app).as_deref(), Some("custom-id"));
        assert_eq!(clients.id_of(r#"{"id":"0oa2"}"#), None);
        let contacts = &find("org_contact_users").unwrap().parent.as_ref().unwrap();
        assert_eq!(
            contacts
                .id_of(r#"{"contactType":"BILLING","_links":{}}"#)
                .as_deref(),
            Some("BILLING")
        );
        let users = &find("user_factors").unwrap().parent.as_ref().unwrap();
        assert_eq!(
            users.id_of(r#"{"id":"00u1","x":1}"#).as_deref(),
            Some("00u1")
        );
    }

    #[test]
    fn select_tests_parent_records() {
        let raw = |s: &str| s.to_owned();
        let oidc = Select::OneOf("/signOnMode", &["OPENID_CONNECT"]);
        assert!(oidc.accepts(&raw(r#"{"id":"a","signOnMode":"OPENID_CONNECT"}"#)));
        assert!(!oidc.accepts(&raw(r#"{"id":"a","signOnMode":"SAML_2_0"}"#)));
        assert!(!oidc.accepts(&raw(r#"{"id":"a"}"#)));
        let members = Select::NotZero("/_embedded/stats/usersCount");
        assert!(!members.accepts(&raw(r#"{"_embedded":{"stats":{"usersCount":0}}}"#)));
        assert!(members.accepts(&raw(r#"{"_embedded":{"stats":{"usersCount":3}}}"#)));
        assert!(members.accepts(&raw(r#"{"id":"no stats: ask"}"#)));
        let admins = Select::NotFalse("/_embedded/stats/hasAdminPrivilege");
        assert!(!admins.accepts(&raw(
            r#"{"_embedded":{"stats":{"hasAdminPrivilege":false}}}"#
        )));
        assert!(admins.accepts(&raw(
            r#"{"_embedded":{"stats":{"hasAdminPrivilege":true}}}"#
        )));
        assert!(admins.accepts(&raw(r#"{"id":"no stats: ask"}"#)));
        let living = Select::NoneOf("/status", &["DEPROVISIONED"]);
        assert!(!living.accepts(&raw(r#"{"id":"a","status":"DEPROVISIONED"}"#)));
        assert!(living.accepts(&raw(r#"{"id":"a","status":"SUSPENDED"}"#)));
        assert!(living.accepts(&raw(r#"{"id":"no status: ask"}"#)));
    }

    #[test]
    fn selection_by_group_resource_or_all() {
        let s = select("users").unwrap();
        assert_eq!(
            s[0].1,
            vec!["users"],
            "a resource's name means the resource"
        );
        let s = select("okta-users").unwrap();
        assert_eq!(s[0].1, vec!["users", "user_factors"]);
        let s = select("user_factors").unwrap();
        assert_eq!(s[0].1, vec!["user_factors"]);
        let s = select("groups,okta-security").unwrap();
        assert_eq!(s[0].0.name, "groups");
        assert_eq!(s[0].1, vec!["groups"]);
        assert_eq!(s[1].1.len(), SECURITY.resources.len());
        assert!(select("roles").unwrap_err().contains("okta-roles"));
        assert!(select("okta-nope").unwrap_err().contains("okta-users"));
        let s = select("all").unwrap();
        assert_eq!(s.len(), ALL.len());
        assert!(select("nope").unwrap_err().contains("user_factors"));
        assert_eq!(group("okta-users").unwrap().name, "users");
        assert_eq!(USERS.scopes(), vec!["okta.logs.read", "okta.users.read"]);
    }

    /// A file of the repository, which tests hold to this table.
    fn repo_file(path: &str) -> String {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        std::fs::read_to_string(format!("{root}/{path}"))
            .unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    #[test]
    fn the_template_grants_and_expires_every_resource_of_the_table() {
        let template = repo_file("template.yaml");
        for group in ALL {
            let title = format!("{}{}", group.name[..1].to_uppercase(), &group.name[1..]);
            let start = template
                .find(&format!("\n  {title}Function:\n"))
                .unwrap_or_else(|| panic!("template.yaml has no {title}Function"));
            // The function's block: its lines up to the next resource at the same indent.
            let function: String = template[start + 1..]
                .lines()
                .enumerate()
                .take_while(|(i, l)| *i == 0 || !l.starts_with("  ") || l.starts_with("   "))
                .map(|(_, l)| format!("{l}\n"))
                .collect();
            for r in group.resources {
                for prefix in [
                    format!("/{}/*", r.name),
                    format!("/_manifests/{}/*", r.name),
                ] {
                    assert!(
                        function.contains(&format!("${{DataPrefix}}{prefix}")),
                        "{title}Function may not write {prefix}: regenerate template.yaml (scripts/template.py)"
                    );
                }
                if group.kind == Kind::Snapshot {
                    let rule = format!("Prefix: !Sub ${{DataPrefix}}/{}/\n", r.name);
                    assert!(template.contains(&rule), "no expiry rule for {}", r.name);
                }
            }
            let schedule = format!(
                "  {title}Schedule:\n    Type: String\n    Default: {}\n",
                group.schedule
            );
            assert!(
                template.contains(&schedule),
                "{title}Schedule's default is not {}",
                group.schedule
            );
        }
    }

    #[test]
    fn the_readme_table_lists_every_resource_in_its_group_with_its_scope() {
        let readme = repo_file("README.md");
        let table = readme
            .split("\n## Resources\n")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("the README has a Resources section");
        let mut rows = Vec::new();
        let mut group = "";
        for line in table.lines().skip_while(|l| !l.starts_with("|---")).skip(1) {
            if !line.starts_with('|') {
                break;
            }
            // | group (function) | resource | endpoint | scope | schedule |
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let Some(name) = cells[1].split(" (").next()
                && !name.is_empty()
            {
                group = name;
            }
            let resource = cells[2].trim_matches('`');
            rows.push((group.to_owned(), resource.to_owned(), cells[4].to_owned()));
        }
        let want: Vec<(String, String)> = ALL
            .iter()
            .flat_map(|g| {
                g.resources
                    .iter()
                    .map(|r| (g.name.to_owned(), r.name.to_owned()))
            })
            .collect();
        let got: Vec<(String, String)> = rows
            .iter()
            .map(|(g, r, _)| (g.clone(), r.clone()))
            .collect();
        assert_eq!(
            got, want,
            "the README's Resources table is not the resource table"
        );
        for (_, name, scope) in &rows {
            let r = find(name).expect("listed above");
            assert!(
                scope.contains(r.scope),
                "README: {name} needs {}, says {scope}",
                r.scope
            );
        }
    }

    #[test]
    fn the_athena_ddl_has_a_table_per_resource_and_the_manifests_know_them_all() {
        let names: Vec<&str> = ALL
            .iter()
            .flat_map(|g| g.resources.iter().map(|r| r.name))
            .chain([CHANGE_FEED.name])
            .collect();
        for name in &names {
            assert!(
                repo_file(&format!("queries/athena/ddl/{name}.sql"))
                    .contains("CREATE EXTERNAL TABLE"),
                "queries/athena/ddl/{name}.sql"
            );
        }
        let manifests = repo_file("queries/athena/ddl/manifests.sql");
        assert!(
            manifests.contains(&format!(
                "'projection.resource.values' = '{}'",
                names.join(",")
            )),
            "manifests.sql: projection.resource.values must be {}",
            names.join(",")
        );
    }
}
