//! Posture changes, named: the changes a security team acts on get a stable `kind` and a
//! severity. The table is data, read top to bottom, first match wins; a change no row names
//! keeps the plain kind `{resource}.{change}` at severity `info`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::diff::{Change, Difference};

/// How much a change matters to a security team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// A test on a difference, beyond its resource and change.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    Always,
    /// The field at this pointer changed.
    Changed(&'static str),
    /// The field at this pointer went from one of the first values to one of the second.
    FromTo(
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    ),
    /// The field at this pointer (of the object after the change, or before it for a
    /// removal) is one of these strings, or ends with one of them when it starts with `*`.
    Is(&'static str, &'static [&'static str]),
    /// The record's parent is a group holding admin roles.
    AdminGroupMember,
    /// A sign-on, MFA or password requirement became weaker.
    Weaker,
}

/// One row: which differences get which kind and severity.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub resource: &'static str,
    pub change: Change,
    pub test: Test,
    pub kind: &'static str,
    pub severity: Severity,
}

const fn rule(
    resource: &'static str,
    change: Change,
    test: Test,
    kind: &'static str,
    severity: Severity,
) -> Rule {
    Rule {
        resource,
        change,
        test,
        kind,
        severity,
    }
}

use Change::{Added, Modified, Removed};
use Severity::{Critical, High, Info, Low, Medium};

const TOP_ROLES: &[&str] = &["SUPER_ADMIN", "ORG_ADMIN"];

/// The posture kinds, in the order they are tried (one row a line: the table is data).
#[rustfmt::skip]
pub static RULES: &[Rule] = &[
    rule("user_roles", Added, Test::Is("/type", TOP_ROLES), "admin_role.granted", Critical),
    rule("user_roles", Added, Test::Always, "admin_role.granted", High),
    rule("user_roles", Removed, Test::Always, "admin_role.revoked", Medium),
    rule("group_roles", Added, Test::Is("/type", TOP_ROLES), "admin_role.granted_to_group", Critical),
    rule("group_roles", Added, Test::Always, "admin_role.granted_to_group", High),
    rule("group_roles", Removed, Test::Always, "admin_role.revoked_from_group", Medium),
    rule("group_members", Added, Test::AdminGroupMember, "admin_group.member_added", High),
    rule("group_members", Removed, Test::AdminGroupMember, "admin_group.member_removed", Medium),
    rule("user_factors", Added, Test::Always, "mfa.factor_enrolled", Info),
    rule("user_factors", Removed, Test::Always, "mfa.factor_removed", Medium),
    rule("users", Added, Test::Always, "user.created", Info),
    rule("users", Removed, Test::Always, "user.deleted", Low),
    rule("users", Modified, Test::FromTo("/status", &["DEPROVISIONED"], &["ACTIVE", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"]), "user.reactivated", Medium),
    rule("users", Modified, Test::FromTo("/status", &["SUSPENDED"], &["ACTIVE"]), "user.unsuspended", Low),
    rule("users", Modified, Test::FromTo("/status", &["STAGED", "PROVISIONED"], &["ACTIVE"]), "user.activated", Info),
    rule("users", Modified, Test::FromTo("/status", &["*"], &["DEPROVISIONED"]), "user.deprovisioned", Low),
    rule("users", Modified, Test::FromTo("/status", &["*"], &["SUSPENDED"]), "user.suspended", Low),
    rule("apps", Added, Test::Always, "app.created", Low),
    rule("apps", Removed, Test::Always, "app.deleted", Low),
    rule("app_users", Added, Test::Always, "app.assigned_to_user", Info),
    rule("app_groups", Added, Test::Always, "app.assigned_to_group", Low),
    rule("app_grants", Added, Test::Is("/scopeId", &["*.manage"]), "app.oauth_grant_added", High),
    rule("app_grants", Added, Test::Always, "app.oauth_grant_added", Medium),
    rule("policies", Modified, Test::Weaker, "policy.weakened", High),
    rule("policy_rules", Modified, Test::Weaker, "policy_rule.weakened", High),
    rule("policies", Added, Test::Always, "policy.created", Medium),
    rule("policies", Modified, Test::Always, "policy.changed", Medium),
    rule("policies", Removed, Test::Always, "policy.deleted", Medium),
    rule("policy_rules", Added, Test::Always, "policy_rule.created", Medium),
    rule("policy_rules", Modified, Test::Always, "policy_rule.changed", Medium),
    rule("policy_rules", Removed, Test::Always, "policy_rule.deleted", Medium),
    rule("network_zones", Added, Test::Always, "network_zone.created", Medium),
    rule("network_zones", Modified, Test::Always, "network_zone.changed", Medium),
    rule("network_zones", Removed, Test::Always, "network_zone.deleted", Medium),
    rule("idps", Added, Test::Always, "idp.added", High),
    rule("idps", Modified, Test::Always, "idp.changed", Medium),
    rule("idps", Removed, Test::Always, "idp.removed", Medium),
    rule("threat_insight", Modified, Test::FromTo("/action", &["*"], &["none"]), "threat_insight.disabled", High),
    rule("threat_insight", Modified, Test::Changed("/action"), "threat_insight.action_changed", Medium),
    rule("org_settings", Modified, Test::Is("/support", &["ENABLED"]), "org.okta_support_enabled", High),
    rule("org_settings", Modified, Test::Changed("/support"), "org.okta_support_changed", Medium),
    rule("org_settings", Modified, Test::Changed("/thirdPartyAdmin"), "org.third_party_admin_changed", Medium),
    rule("org_settings", Modified, Test::Always, "org.setting_changed", Low),
    rule("group_rules", Added, Test::Always, "group_rule.created", Medium),
    rule("group_rules", Modified, Test::Always, "group_rule.changed", Medium),
    rule("service_app_roles", Added, Test::Is("/type", TOP_ROLES), "admin_role.granted_to_service_app", Critical),
    rule("service_app_roles", Added, Test::Always, "admin_role.granted_to_service_app", High),
    rule("service_app_roles", Removed, Test::Always, "admin_role.revoked_from_service_app", Medium),
    rule("api_tokens", Added, Test::Always, "api_token.created", Medium),
    rule("api_tokens", Removed, Test::Always, "api_token.revoked", Low),
    rule("api_tokens", Modified, Test::Changed("/network"), "api_token.network_changed", Medium),
    rule("authenticators", Modified, Test::FromTo("/status", &["ACTIVE"], &["INACTIVE"]), "authenticator.disabled", High),
    rule("authenticators", Modified, Test::Always, "authenticator.changed", Medium),
    rule("event_hooks", Added, Test::Always, "event_hook.added", High),
    rule("event_hooks", Modified, Test::Always, "event_hook.changed", Medium),
    rule("inline_hooks", Added, Test::Always, "inline_hook.added", High),
    rule("inline_hooks", Modified, Test::Always, "inline_hook.changed", Medium),
    rule("log_streams", Added, Test::Always, "log_stream.added", High),
    rule("log_streams", Modified, Test::Always, "log_stream.changed", Medium),
    rule("trusted_origins", Added, Test::Always, "trusted_origin.added", Medium),
    rule("trusted_origins", Modified, Test::Always, "trusted_origin.changed", Medium),
    rule("authorization_server_policies", Added, Test::Always, "auth_server_policy.created", Medium),
    rule("authorization_server_policies", Modified, Test::Always, "auth_server_policy.changed", Medium),
];

/// A weaker requirement: the pointer, the stronger values before and the weaker ones after.
#[rustfmt::skip]
const WEAKENINGS: &[(&str, &[&str], &[&str])] = &[
    ("/actions/signon/requireFactor", &["true"], &["false"]),
    ("/actions/appSignOn/verificationMethod/factorMode", &["2FA"], &["1FA"]),
    ("/actions/signon/access", &["DENY"], &["ALLOW"]),
    ("/actions/appSignOn/access", &["DENY"], &["ALLOW"]),
];

/// The kind and severity of `difference`; `admin_group` tells whether a group holds admin
/// roles.
pub fn classify(
    resource: &str,
    difference: &Difference,
    admin_group: &dyn Fn(&str) -> bool,
) -> (String, Severity) {
    rule_for(resource, difference, admin_group)
        .map(|r| (r.kind.to_owned(), r.severity))
        .unwrap_or_else(|| (format!("{resource}.{}", difference.change.as_str()), Info))
}

/// The first row that names `difference`.
fn rule_for(
    resource: &str,
    difference: &Difference,
    admin_group: &dyn Fn(&str) -> bool,
) -> Option<&'static Rule> {
    RULES
        .iter()
        .filter(|r| r.resource == resource && r.change == difference.change)
        .find(|r| passes(r.test, difference, admin_group))
}

fn passes(test: Test, d: &Difference, admin_group: &dyn Fn(&str) -> bool) -> bool {
    match test {
        Test::Always => true,
        Test::Changed(pointer) => d.changed(pointer),
        Test::FromTo(pointer, from, to) => {
            d.changed(pointer)
                && matches(from, d.before_at(pointer))
                && matches(to, d.after_at(pointer))
        }
        Test::Is(pointer, values) => {
            let object = d.after.as_ref().or(d.before.as_ref());
            matches(values, object.and_then(|o| o.pointer(pointer)))
        }
        Test::AdminGroupMember => d.parent_id().is_some_and(admin_group),
        Test::Weaker => WEAKENINGS.iter().any(|(pointer, from, to)| {
            matches(from, d.before_at(pointer)) && matches(to, d.after_at(pointer))
        }),
    }
}

/// Whether `value` (a string, or a scalar as its JSON text) is one of `patterns`: `*` alone
/// is anything present, `*suffix` a suffix.
fn matches(patterns: &[&str], value: Option<&Value>) -> bool {
    let Some(value) = value else {
        return false;
    };
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => return false,
        other => other.to_string(),
    };
    patterns.iter().any(|p| match p.strip_prefix('*') {
        Some("") => true,
        Some(suffix) => text.ends_with(suffix),
        None => text == *p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;
    use serde_json::json;

    fn modified(before: Value, after: Value) -> Difference {
        Difference::between("k".into(), Some(before), Some(after)).expect("a modification")
    }

    fn added(after: Value) -> Difference {
        Difference::between("00g1/x".into(), None, Some(after)).expect("an addition")
    }

    fn removed(before: Value) -> Difference {
        Difference::between("00g1/x".into(), Some(before), None).expect("a removal")
    }

    const NONE: &dyn Fn(&str) -> bool = &|_| false;

    /// A resource, a difference, which groups hold admin roles, and the kind and severity due.
    type Case = (
        &'static str,
        Difference,
        &'static dyn Fn(&str) -> bool,
        &'static str,
        Severity,
    );

    #[test]
    fn every_row_names_a_resource_and_can_be_reached() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                resources::find(rule.resource).is_some(),
                "row {i}: {}",
                rule.resource
            );
            let shadowed = RULES[..i].iter().any(|earlier| {
                earlier.resource == rule.resource
                    && earlier.change == rule.change
                    && matches!(earlier.test, Test::Always)
            });
            assert!(!shadowed, "row {i} ({}) comes after a catch-all", rule.kind);
        }
    }

    /// One case per row: the difference, and the kind and severity it must get.
    #[test]
    fn each_row_names_its_change() {
        let admin: &dyn Fn(&str) -> bool = &|g| g == "00g1";
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("user_roles", added(json!({"type": "SUPER_ADMIN"})), NONE, "admin_role.granted", Critical),
            ("user_roles", added(json!({"type": "HELP_DESK_ADMIN"})), NONE, "admin_role.granted", High),
            ("user_roles", removed(json!({"type": "ORG_ADMIN"})), NONE, "admin_role.revoked", Medium),
            ("group_roles", added(json!({"type": "ORG_ADMIN"})), NONE, "admin_role.granted_to_group", Critical),
            ("group_roles", added(json!({"type": "READ_ONLY_ADMIN"})), NONE, "admin_role.granted_to_group", High),
            ("group_roles", removed(json!({"type": "ORG_ADMIN"})), NONE, "admin_role.revoked_from_group", Medium),
            ("group_members", added(json!({"id": "00u1"})), admin, "admin_group.member_added", High),
            ("group_members", added(json!({"id": "00u1"})), NONE, "group_members.added", Info),
            ("group_members", removed(json!({"id": "00u1"})), admin, "admin_group.member_removed", Medium),
            ("user_factors", added(json!({"factorType": "push"})), NONE, "mfa.factor_enrolled", Info),
            ("user_factors", removed(json!({"factorType": "sms"})), NONE, "mfa.factor_removed", Medium),
            ("users", added(json!({"status": "ACTIVE"})), NONE, "user.created", Info),
            ("users", removed(json!({"status": "DEPROVISIONED"})), NONE, "user.deleted", Low),
            ("users", modified(json!({"status": "DEPROVISIONED"}), json!({"status": "ACTIVE"})), NONE, "user.reactivated", Medium),
            ("users", modified(json!({"status": "SUSPENDED"}), json!({"status": "ACTIVE"})), NONE, "user.unsuspended", Low),
            ("users", modified(json!({"status": "STAGED"}), json!({"status": "ACTIVE"})), NONE, "user.activated", Info),
            ("users", modified(json!({"status": "ACTIVE"}), json!({"status": "DEPROVISIONED"})), NONE, "user.deprovisioned", Low),
            ("users", modified(json!({"status": "ACTIVE"}), json!({"status": "SUSPENDED"})), NONE, "user.suspended", Low),
            ("users", modified(json!({"profile": {"title": "a"}}), json!({"profile": {"title": "b"}})), NONE, "users.modified", Info),
            ("apps", added(json!({"label": "a"})), NONE, "app.created", Low),
            ("apps", removed(json!({"label": "a"})), NONE, "app.deleted", Low),
            ("app_users", added(json!({"id": "00u1"})), NONE, "app.assigned_to_user", Info),
            ("app_groups", added(json!({"id": "00g1"})), NONE, "app.assigned_to_group", Low),
            ("app_grants", added(json!({"scopeId": "okta.users.manage"})), NONE, "app.oauth_grant_added", High),
            ("app_grants", added(json!({"scopeId": "okta.users.read"})), NONE, "app.oauth_grant_added", Medium),
            ("policies", modified(json!({"actions": {"signon": {"access": "DENY"}}}), json!({"actions": {"signon": {"access": "ALLOW"}}})), NONE, "policy.weakened", High),
            ("policy_rules", modified(json!({"actions": {"signon": {"requireFactor": true}}}), json!({"actions": {"signon": {"requireFactor": false}}})), NONE, "policy_rule.weakened", High),
            ("policy_rules", modified(json!({"actions": {"appSignOn": {"verificationMethod": {"factorMode": "2FA"}}}}), json!({"actions": {"appSignOn": {"verificationMethod": {"factorMode": "1FA"}}}})), NONE, "policy_rule.weakened", High),
            ("policies", added(json!({"name": "p"})), NONE, "policy.created", Medium),
            ("policies", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "policy.changed", Medium),
            ("policies", removed(json!({"name": "p"})), NONE, "policy.deleted", Medium),
            ("policy_rules", added(json!({"name": "r"})), NONE, "policy_rule.created", Medium),
            ("policy_rules", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "policy_rule.changed", Medium),
            ("policy_rules", removed(json!({"name": "r"})), NONE, "policy_rule.deleted", Medium),
            ("network_zones", added(json!({"name": "z"})), NONE, "network_zone.created", Medium),
            ("network_zones", modified(json!({"gateways": []}), json!({"gateways": [{"value": "1.2.3.0/24"}]})), NONE, "network_zone.changed", Medium),
            ("network_zones", removed(json!({"name": "z"})), NONE, "network_zone.deleted", Medium),
            ("idps", added(json!({"type": "SAML2"})), NONE, "idp.added", High),
            ("idps", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "idp.changed", Medium),
            ("idps", removed(json!({"name": "a"})), NONE, "idp.removed", Medium),
            ("threat_insight", modified(json!({"action": "block"}), json!({"action": "none"})), NONE, "threat_insight.disabled", High),
            ("threat_insight", modified(json!({"action": "audit"}), json!({"action": "block"})), NONE, "threat_insight.action_changed", Medium),
            ("org_settings", modified(json!({"support": "DISABLED"}), json!({"support": "ENABLED"})), NONE, "org.okta_support_enabled", High),
            ("org_settings", modified(json!({"support": "ENABLED"}), json!({"support": "DISABLED"})), NONE, "org.okta_support_changed", Medium),
            ("org_settings", modified(json!({"thirdPartyAdmin": false}), json!({"thirdPartyAdmin": true})), NONE, "org.third_party_admin_changed", Medium),
            ("org_settings", modified(json!({"language": "en"}), json!({"language": "fr"})), NONE, "org.setting_changed", Low),
            ("group_rules", added(json!({"name": "r"})), NONE, "group_rule.created", Medium),
            ("group_rules", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "group_rule.changed", Medium),
            ("service_app_roles", added(json!({"type": "SUPER_ADMIN"})), NONE, "admin_role.granted_to_service_app", Critical),
            ("service_app_roles", added(json!({"type": "READ_ONLY_ADMIN"})), NONE, "admin_role.granted_to_service_app", High),
            ("service_app_roles", removed(json!({"type": "READ_ONLY_ADMIN"})), NONE, "admin_role.revoked_from_service_app", Medium),
            ("api_tokens", added(json!({"name": "t"})), NONE, "api_token.created", Medium),
            ("api_tokens", removed(json!({"name": "t"})), NONE, "api_token.revoked", Low),
            ("api_tokens", modified(json!({"network": {"connection": "ZONE"}}), json!({"network": {"connection": "ANYWHERE"}})), NONE, "api_token.network_changed", Medium),
            ("authenticators", modified(json!({"status": "ACTIVE"}), json!({"status": "INACTIVE"})), NONE, "authenticator.disabled", High),
            ("authenticators", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "authenticator.changed", Medium),
            ("event_hooks", added(json!({"name": "h"})), NONE, "event_hook.added", High),
            ("event_hooks", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "event_hook.changed", Medium),
            ("inline_hooks", added(json!({"name": "h"})), NONE, "inline_hook.added", High),
            ("inline_hooks", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "inline_hook.changed", Medium),
            ("log_streams", added(json!({"name": "s"})), NONE, "log_stream.added", High),
            ("log_streams", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "log_stream.changed", Medium),
            ("trusted_origins", added(json!({"origin": "https://*.x"})), NONE, "trusted_origin.added", Medium),
            ("trusted_origins", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "trusted_origin.changed", Medium),
            ("authorization_server_policies", added(json!({"name": "p"})), NONE, "auth_server_policy.created", Medium),
            ("authorization_server_policies", modified(json!({"name": "a"}), json!({"name": "b"})), NONE, "auth_server_policy.changed", Medium),
        ];
        let mut hit = std::collections::BTreeSet::new();
        for (resource, difference, admin_group, kind, severity) in cases {
            assert_eq!(
                classify(resource, &difference, admin_group),
                (kind.to_owned(), severity),
                "{resource}: {difference:?}"
            );
            if let Some(rule) = rule_for(resource, &difference, admin_group) {
                hit.insert(RULES.iter().position(|r| std::ptr::eq(r, rule)).unwrap());
            }
        }
        let missing: Vec<&str> = (0..RULES.len())
            .filter(|i| !hit.contains(i))
            .map(|i| RULES[i].kind)
            .collect();
        assert!(missing.is_empty(), "rows without a case: {missing:?}");
    }
}
