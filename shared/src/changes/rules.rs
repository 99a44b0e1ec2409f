//! What counts as a change, per resource: how a record is keyed, and which fields are noise.
//!
//! Noise is what moves without anyone changing the object: `_links`, `lastUpdated`, a user's
//! `lastLogin` on every sign-in, a group's member counts. It is left out before records are
//! compared, so it never shows as a change. The lists are data; the README repeats them.

use serde_json::Value;

use crate::resources::Resource;

/// Fields ignored in every resource (JSON pointers).
pub const IGNORED_EVERYWHERE: &[&str] = &["/_links", "/lastUpdated"];

/// Fields ignored in one resource, beside [`IGNORED_EVERYWHERE`].
pub const IGNORED: &[(&str, &[&str])] = &[
    // Sign-ins move lastLogin; statusChanged moves with status, which is compared.
    ("users", &["/lastLogin", "/statusChanged"]),
    // Every MFA prompt moves lastVerified.
    ("user_factors", &["/lastVerified"]),
    // `expand=stats` counts members and apps; membership changes are group_members' own.
    ("groups", &["/_embedded", "/lastMembershipUpdated"]),
];

/// Resources whose records are another resource's objects (a group's members are users): only
/// whether the object is there is theirs to report. A member's new title is a change of
/// `users`, not of the membership.
pub const PRESENCE_ONLY: &[&str] = &["group_members"];

/// Whether `resource` reports only additions and removals.
pub fn presence_only(resource: &str) -> bool {
    PRESENCE_ONLY.contains(&resource)
}

/// The fields ignored in `resource`.
pub fn ignored(resource: &str) -> impl Iterator<Item = &'static str> {
    IGNORED_EVERYWHERE.iter().copied().chain(
        IGNORED
            .iter()
            .filter(move |(name, _)| *name == resource)
            .flat_map(|(_, fields)| fields.iter().copied()),
    )
}

/// A record's key within its resource: its own id (or, for objects without one, the field that
/// names them: an org setting's `setting`, a permission's `label`, a contact's `contactType`;
/// empty for a singleton), after the parent's id for a child (`{parent}/{id}`).
pub fn key(resource: &Resource, record: &Value) -> String {
    let own = ["id"]
        .into_iter()
        .chain(resource.label)
        .chain(["label", "contactType"])
        .find_map(|field| record.get(field).and_then(Value::as_str))
        .unwrap_or_default();
    match &resource.parent {
        Some(parent) => {
            let parent_id = record
                .get(parent.field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            format!("{parent_id}/{own}")
        }
        None => own.to_owned(),
    }
}

/// `record` without the fields ignored in `resource`.
pub fn without_noise(resource: &str, mut record: Value) -> Value {
    for pointer in ignored(resource) {
        remove(&mut record, pointer);
    }
    record
}

fn remove(value: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let parent = if parent.is_empty() {
        Some(value)
    } else {
        value.pointer_mut(parent)
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;
    use serde_json::json;

    #[test]
    fn every_resource_named_in_the_lists_exists() {
        for name in IGNORED.iter().map(|(name, _)| name).chain(PRESENCE_ONLY) {
            assert!(resources::find(name).is_some(), "{name}");
        }
    }

    #[test]
    fn keys_name_the_object_within_its_parent() {
        let find = |name| resources::find(name).unwrap();
        assert_eq!(key(find("users"), &json!({"id": "00u1"})), "00u1");
        assert_eq!(
            key(
                find("user_factors"),
                &json!({"id": "uft1", "userId": "00u1"})
            ),
            "00u1/uft1"
        );
        assert_eq!(
            key(
                find("org_settings"),
                &json!({"support": "ENABLED", "setting": "privacy/oktaSupport"})
            ),
            "privacy/oktaSupport"
        );
        assert_eq!(
            key(
                find("custom_role_permissions"),
                &json!({"label": "okta.users.read", "roleId": "cr0"})
            ),
            "cr0/okta.users.read"
        );
        assert_eq!(key(find("threat_insight"), &json!({"action": "audit"})), "");
    }

    #[test]
    fn noise_is_left_out_and_the_rest_kept() {
        let user = json!({
            "id": "00u1", "status": "ACTIVE", "lastLogin": "t1", "lastUpdated": "t2",
            "statusChanged": "t3", "_links": {"self": {}}, "profile": {"title": "Engineer"}
        });
        assert_eq!(
            without_noise("users", user),
            json!({"id": "00u1", "status": "ACTIVE", "profile": {"title": "Engineer"}})
        );
        let group = json!({"id": "00g1", "_embedded": {"stats": {"usersCount": 3}}, "profile": {}});
        assert_eq!(
            without_noise("groups", group),
            json!({"id": "00g1", "profile": {}})
        );
    }
}
