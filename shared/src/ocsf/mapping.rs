//! The mapping table: which OCSF class and activity each System Log `eventType` becomes.
//!
//! A row names an event type exactly (`user.session.start`) or a prefix ending in `.`
//! (`user.lifecycle.`); an exact row wins over a prefix, a longer prefix over a shorter one.
//! Event types no row names go to API Activity, with the activity read from the type's last
//! word where it says one (`….create`, `….update`, …). Mappers disagree on some types (Okta's
//! `user.session.start` is Authentication here and Authorize Session elsewhere), which is why
//! this is a table, with the README listing it and a test holding every row to the schema.

/// An OCSF 1.8.0 event class the System Log maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    AccountChange,
    Authentication,
    AuthorizeSession,
    EntityManagement,
    UserAccess,
    GroupManagement,
    DetectionFinding,
    ApiActivity,
}

impl Class {
    pub const ALL: [Class; 8] = [
        Class::AccountChange,
        Class::Authentication,
        Class::AuthorizeSession,
        Class::EntityManagement,
        Class::UserAccess,
        Class::GroupManagement,
        Class::DetectionFinding,
        Class::ApiActivity,
    ];

    pub fn uid(self) -> u32 {
        match self {
            Class::AccountChange => 3001,
            Class::Authentication => 3002,
            Class::AuthorizeSession => 3003,
            Class::EntityManagement => 3004,
            Class::UserAccess => 3005,
            Class::GroupManagement => 3006,
            Class::DetectionFinding => 2004,
            Class::ApiActivity => 6003,
        }
    }

    /// The class's caption in the schema.
    pub fn name(self) -> &'static str {
        match self {
            Class::AccountChange => "Account Change",
            Class::Authentication => "Authentication",
            Class::AuthorizeSession => "Authorize Session",
            Class::EntityManagement => "Entity Management",
            Class::UserAccess => "User Access Management",
            Class::GroupManagement => "Group Management",
            Class::DetectionFinding => "Detection Finding",
            Class::ApiActivity => "API Activity",
        }
    }

    pub fn category_uid(self) -> u32 {
        self.uid() / 1000
    }

    pub fn category_name(self) -> &'static str {
        match self.category_uid() {
            2 => "Findings",
            3 => "Identity & Access Management",
            _ => "Application Activity",
        }
    }

    /// The caption of one of the class's activities, `None` if the class has no such activity.
    pub fn activity_name(self, activity: u8) -> Option<&'static str> {
        let names: &[&str] = match self {
            Class::AccountChange => &[
                "Create",
                "Enable",
                "Password Change",
                "Password Reset",
                "Disable",
                "Delete",
                "Attach Policy",
                "Detach Policy",
                "Lock",
                "MFA Factor Enable",
                "MFA Factor Disable",
                "Unlock",
            ],
            Class::Authentication => &[
                "Logon",
                "Logoff",
                "Authentication Ticket",
                "Service Ticket Request",
                "Service Ticket Renew",
                "Preauth",
                "Account Switch",
            ],
            Class::AuthorizeSession => &["Assign Privileges", "Assign Groups"],
            Class::EntityManagement => &[
                "Create",
                "Read",
                "Update",
                "Delete",
                "Move",
                "Enroll",
                "Unenroll",
                "Enable",
                "Disable",
                "Activate",
                "Deactivate",
                "Suspend",
                "Resume",
            ],
            Class::UserAccess => &["Assign Privileges", "Revoke Privileges"],
            Class::GroupManagement => &[
                "Assign Privileges",
                "Revoke Privileges",
                "Add User",
                "Remove User",
                "Delete",
                "Create",
                "Add Subgroup",
                "Remove Subgroup",
            ],
            Class::DetectionFinding => &["Create", "Update", "Close"],
            Class::ApiActivity => &["Create", "Read", "Update", "Delete"],
        };
        match activity {
            0 => Some("Unknown"),
            OTHER => Some("Other"),
            n => names.get(usize::from(n).checked_sub(1)?).copied(),
        }
    }
}

/// OCSF's "Other" activity, in every class.
pub const OTHER: u8 = 99;

/// One row: an event type (or a prefix ending in `.`) and what it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub event_type: &'static str,
    pub class: Class,
    pub activity: u8,
}

const fn row(event_type: &'static str, class: Class, activity: u8) -> Rule {
    Rule {
        event_type,
        class,
        activity,
    }
}

use Class::*;

/// The table. Event types are Okta's (its event-type catalogue); activity ids are the class's
/// in OCSF 1.8.0.
pub const RULES: &[Rule] = &[
    // Authentication: sign-in, sign-out, SSO into apps, MFA, OAuth tokens.
    row("user.session.start", Authentication, 1),
    row("user.session.end", Authentication, 2),
    row("user.session.expire", Authentication, 2),
    row("user.session.clear", Authentication, 2),
    row("user.authentication.slo", Authentication, 2),
    row("user.authentication.sso", Authentication, 1),
    row("user.authentication.auth_via_mfa", Authentication, 1),
    row("user.authentication.auth_via_IDP", Authentication, 1),
    row("user.authentication.auth_via_social", Authentication, 1),
    row("user.authentication.auth_via_radius", Authentication, 1),
    row("user.authentication.auth_via_richclient", Authentication, 1),
    row("user.authentication.auth_via_AD_agent", Authentication, 1),
    row("user.authentication.auth_via_LDAP_agent", Authentication, 1),
    row(
        "user.authentication.auth_via_inbound_SAML",
        Authentication,
        1,
    ),
    row(
        "user.authentication.auth_via_inbound_delauth",
        Authentication,
        1,
    ),
    row("user.authentication.authenticate", Authentication, 1),
    row("user.authentication.verify", Authentication, 6),
    row("user.authentication.", Authentication, OTHER),
    row("user.mfa.okta_verify", Authentication, 6),
    row("user.mfa.okta_verify.", Authentication, 6),
    row("user.mfa.attempt_bypass", Authentication, 6),
    row("system.push.send_factor_verify_push", Authentication, 6),
    row("policy.evaluate_sign_on", Authentication, 6),
    row("app.oauth2.authorize", Authentication, 3),
    row("app.oauth2.as.authorize", Authentication, 3),
    row("app.oauth2.as.authorize.", Authentication, 3),
    row("app.oauth2.token.grant", Authentication, 3),
    row("app.oauth2.token.grant.", Authentication, 3),
    row("app.oauth2.as.token.grant", Authentication, 3),
    row("app.oauth2.as.token.grant.", Authentication, 3),
    row("app.oauth2.as.token.revoke", Authentication, OTHER),
    row("app.generic.unauth_app_access_attempt", Authentication, 1),
    // Authorize Session: what a session is allowed beyond signing in.
    row("user.session.access_admin_app", AuthorizeSession, 1),
    row("user.session.impersonation.grant", AuthorizeSession, 1),
    row("user.session.impersonation.initiate", AuthorizeSession, 1),
    row("user.session.impersonation.", AuthorizeSession, OTHER),
    // Account Change: a user's lifecycle, credentials and factors.
    row("user.lifecycle.create", AccountChange, 1),
    row("user.lifecycle.activate", AccountChange, 2),
    row("user.lifecycle.reactivate", AccountChange, 2),
    row("user.lifecycle.unsuspend", AccountChange, 2),
    row("user.lifecycle.deactivate", AccountChange, 5),
    row("user.lifecycle.suspend", AccountChange, 5),
    row("user.lifecycle.delete.", AccountChange, 6),
    row("user.lifecycle.", AccountChange, OTHER),
    row("user.account.update_password", AccountChange, 3),
    row("user.account.reset_password", AccountChange, 4),
    row("user.account.expire_password", AccountChange, OTHER),
    row("user.account.lock", AccountChange, 9),
    row("user.account.lock.limit", AccountChange, 9),
    row("user.account.unlock", AccountChange, 12),
    row("user.account.unlock_by_admin", AccountChange, 12),
    row("user.account.update_profile", AccountChange, OTHER),
    row("user.account.update_primary_email", AccountChange, OTHER),
    row("user.account.update_secondary_email", AccountChange, OTHER),
    row("user.mfa.factor.activate", AccountChange, 10),
    row("user.mfa.factor.unsuspend", AccountChange, 10),
    row("user.mfa.factor.deactivate", AccountChange, 11),
    row("user.mfa.factor.suspend", AccountChange, 11),
    row("user.mfa.factor.reset_all", AccountChange, 11),
    row("user.mfa.factor.", AccountChange, OTHER),
    // User Access Management: admin roles and app assignments of a user.
    row("user.account.privilege.grant", UserAccess, 1),
    row("user.account.privilege.revoke", UserAccess, 2),
    row("application.user_membership.add", UserAccess, 1),
    row("application.user_membership.remove", UserAccess, 2),
    row("app.oauth2.as.consent.grant", UserAccess, 1),
    row("app.oauth2.as.consent.revoke", UserAccess, 2),
    // Group Management.
    row("group.user_membership.add", GroupManagement, 3),
    row("group.user_membership.remove", GroupManagement, 4),
    row("group.lifecycle.create", GroupManagement, 6),
    row("group.lifecycle.delete", GroupManagement, 5),
    row("group.privilege.grant", GroupManagement, 1),
    row("group.privilege.revoke", GroupManagement, 2),
    row("group.profile.update", GroupManagement, OTHER),
    row("group.application_assignment.", GroupManagement, OTHER),
    // Entity Management: apps, policies, zones, identity providers, tokens, hooks, devices.
    row("application.lifecycle.create", EntityManagement, 1),
    row("application.lifecycle.update", EntityManagement, 3),
    row("application.lifecycle.delete", EntityManagement, 4),
    row("application.lifecycle.activate", EntityManagement, 10),
    row("application.lifecycle.deactivate", EntityManagement, 11),
    row("application.policy.", EntityManagement, 3),
    row("policy.lifecycle.create", EntityManagement, 1),
    row("policy.lifecycle.update", EntityManagement, 3),
    row("policy.lifecycle.delete", EntityManagement, 4),
    row("policy.lifecycle.activate", EntityManagement, 10),
    row("policy.lifecycle.deactivate", EntityManagement, 11),
    row("policy.rule.add", EntityManagement, 1),
    row("policy.rule.update", EntityManagement, 3),
    row("policy.rule.delete", EntityManagement, 4),
    row("policy.rule.activate", EntityManagement, 10),
    row("policy.rule.deactivate", EntityManagement, 11),
    row("zone.create", EntityManagement, 1),
    row("zone.update", EntityManagement, 3),
    row("zone.delete", EntityManagement, 4),
    row("zone.activate", EntityManagement, 10),
    row("zone.deactivate", EntityManagement, 11),
    row("system.idp.lifecycle.create", EntityManagement, 1),
    row("system.idp.lifecycle.update", EntityManagement, 3),
    row("system.idp.lifecycle.delete", EntityManagement, 4),
    row("system.idp.lifecycle.activate", EntityManagement, 10),
    row("system.idp.lifecycle.deactivate", EntityManagement, 11),
    row("system.api_token.create", EntityManagement, 1),
    row("system.api_token.revoke", EntityManagement, 4),
    row("event_hook.created", EntityManagement, 1),
    row("event_hook.updated", EntityManagement, 3),
    row("event_hook.deleted", EntityManagement, 4),
    row("event_hook.activated", EntityManagement, 10),
    row("event_hook.deactivated", EntityManagement, 11),
    row("inline_hook.created", EntityManagement, 1),
    row("inline_hook.updated", EntityManagement, 3),
    row("inline_hook.deleted", EntityManagement, 4),
    row("inline_hook.activated", EntityManagement, 10),
    row("inline_hook.deactivated", EntityManagement, 11),
    row("device.enrollment.create", EntityManagement, 6),
    row("device.lifecycle.activate", EntityManagement, 10),
    row("device.lifecycle.deactivate", EntityManagement, 11),
    row("device.lifecycle.suspend", EntityManagement, 12),
    row("device.lifecycle.unsuspend", EntityManagement, 13),
    row("device.lifecycle.delete", EntityManagement, 4),
    // Detection Finding: what Okta's threat detection and users report.
    row("security.threat.detected", DetectionFinding, 1),
    row("security.request.blocked", DetectionFinding, 1),
    row("security.attack.start", DetectionFinding, 1),
    row("security.attack.end", DetectionFinding, 3),
    row(
        "security.session.detect_client_roaming",
        DetectionFinding,
        1,
    ),
    row(
        "user.account.report_suspicious_activity_by_enduser",
        DetectionFinding,
        1,
    ),
];

/// API Activity's activity for an event type no row names, from its last word.
const VERBS: &[(&str, u8)] = &[
    ("create", 1),
    ("created", 1),
    ("add", 1),
    ("read", 2),
    ("update", 3),
    ("updated", 3),
    ("delete", 4),
    ("deleted", 4),
    ("remove", 4),
];

/// The class and activity of an event type.
pub fn classify(event_type: &str) -> (Class, u8) {
    if let Some(rule) = RULES.iter().find(|r| r.event_type == event_type) {
        return (rule.class, rule.activity);
    }
    let prefix = RULES
        .iter()
        .filter(|r| r.event_type.ends_with('.') && event_type.starts_with(r.event_type))
        .max_by_key(|r| r.event_type.len());
    match prefix {
        Some(rule) => (rule.class, rule.activity),
        None => fallback(event_type),
    }
}

/// API Activity, for an event type no row names or one lacking what its class requires.
pub fn fallback(event_type: &str) -> (Class, u8) {
    let verb = event_type.rsplit('.').next().unwrap_or_default();
    let activity = VERBS
        .iter()
        .find(|(word, _)| *word == verb)
        .map_or(OTHER, |(_, id)| *id);
    (Class::ApiActivity, activity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The schema source kept beside the repository (never copied into it).
    fn schema_file(path: &str) -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/ocsf/").to_owned() + path;
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    /// The class's uid and activity id → caption in the schema source: its own activities,
    /// its base class's (findings), and 0 and 99 that every class has.
    fn schema_activities(class: Class) -> (u32, BTreeMap<u8, String>) {
        let (file, base) = match class {
            Class::AccountChange => ("iam/account_change", None),
            Class::Authentication => ("iam/authentication", None),
            Class::AuthorizeSession => ("iam/authorize_session", None),
            Class::EntityManagement => ("iam/entity_management", None),
            Class::UserAccess => ("iam/user_access", None),
            Class::GroupManagement => ("iam/group_management", None),
            Class::DetectionFinding => ("findings/detection_finding", Some("findings/finding")),
            Class::ApiActivity => ("application/api_activity", None),
        };
        let categories = schema_file("categories.json");
        let event = schema_file(&format!("events/{file}.json"));
        // A class's category is the folder it sits in.
        let category = file.split('/').next().unwrap();
        let category_uid = categories["attributes"][category]["uid"].as_u64().unwrap();
        let uid = category_uid * 1000 + event["uid"].as_u64().unwrap();
        let mut names: BTreeMap<u8, String> = [(0, "Unknown"), (OTHER, "Other")]
            .into_iter()
            .map(|(id, name)| (id, name.to_owned()))
            .collect();
        let sources =
            std::iter::once(event).chain(base.map(|b| schema_file(&format!("events/{b}.json"))));
        for source in sources {
            if let Some(activities) = source["attributes"]["activity_id"]["enum"].as_object() {
                for (id, entry) in activities {
                    names.insert(
                        id.parse().unwrap(),
                        entry["caption"].as_str().unwrap().into(),
                    );
                }
            }
        }
        (u32::try_from(uid).unwrap(), names)
    }

    #[test]
    fn every_class_and_activity_is_the_schemas() {
        for class in Class::ALL {
            let (uid, activities) = schema_activities(class);
            assert_eq!(class.uid(), uid, "{class:?}");
            for id in 0..=OTHER {
                assert_eq!(
                    class.activity_name(id),
                    activities.get(&id).map(String::as_str),
                    "{class:?} activity {id}"
                );
            }
        }
    }

    #[test]
    fn every_row_is_reached_and_names_an_activity_of_its_class() {
        for rule in RULES {
            // A prefix row is tested with an event type under it.
            let event_type = match rule.event_type.ends_with('.') {
                true => format!("{}anything", rule.event_type),
                false => rule.event_type.to_owned(),
            };
            assert_eq!(
                classify(&event_type),
                (rule.class, rule.activity),
                "{} is shadowed by another row",
                rule.event_type
            );
            assert!(
                rule.class.activity_name(rule.activity).is_some(),
                "{}: {:?} has no activity {}",
                rule.event_type,
                rule.class,
                rule.activity
            );
            assert_ne!(rule.class, Class::ApiActivity, "the fallback needs no row");
        }
        let mut names: Vec<&str> = RULES.iter().map(|r| r.event_type).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "an event type has two rows");
    }

    #[test]
    fn the_readme_lists_every_row_under_its_class_and_activity() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let listed = |rule: &Rule| {
            let cell = format!(
                "| {} {} | {} ({}) |",
                rule.class.name(),
                rule.class.uid(),
                rule.class.activity_name(rule.activity).unwrap(),
                rule.activity
            );
            let name = match rule.event_type.ends_with('.') {
                true => format!("`{}…`", rule.event_type),
                false => format!("`{}`", rule.event_type),
            };
            readme
                .lines()
                .any(|l| l.starts_with(&cell) && l.split([' ', ',']).any(|w| w == name))
        };
        let missing: Vec<&str> = RULES
            .iter()
            .filter(|r| !listed(r))
            .map(|r| r.event_type)
            .collect();
        assert!(missing.is_empty(), "README's OCSF table lacks {missing:?}");
        let rows = readme
            .lines()
            .filter(|l| l.contains("`, `") || l.ends_with("` |"));
        let named = rows
            .filter(|l| {
                Class::ALL
                    .iter()
                    .any(|c| l.starts_with(&format!("| {} {} |", c.name(), c.uid())))
            })
            .flat_map(|l| {
                l.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .count();
        assert_eq!(
            named,
            RULES.len(),
            "README's OCSF table names event types the table lacks"
        );
    }

    #[test]
    fn exact_rows_win_over_prefixes_and_the_rest_is_api_activity() {
        assert_eq!(classify("user.lifecycle.create"), (Class::AccountChange, 1));
        assert_eq!(
            classify("user.lifecycle.password_mass_expiry"),
            (Class::AccountChange, OTHER)
        );
        assert_eq!(
            classify("user.lifecycle.delete.completed"),
            (Class::AccountChange, 6)
        );
        assert_eq!(
            classify("system.email.template.update"),
            (Class::ApiActivity, 3)
        );
        assert_eq!(
            classify("system.org.rate_limit.warning"),
            (Class::ApiActivity, OTHER)
        );
        assert_eq!(classify(""), (Class::ApiActivity, OTHER));
    }
}
