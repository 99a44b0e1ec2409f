//! Which System Log events say that an object's children must be read again, or that an
//! object is gone: the table an incremental run reads the log with.
//!
//! A root listing filtered by `lastUpdated` finds the objects that changed themselves, but
//! not a factor enrolled, a member added or a grant given (none of which is known to move the
//! parent's `lastUpdated`), and never a hard delete. Those come from the events here. Each row
//! names an event type (or a prefix of them), the kind of target that names the object, the
//! child resources whose listing for that object is read again, and the resources the object
//! is removed from when the event is a delete.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// How a removal finds the records of a deleted object in a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The record is the object (`users`, `groups`).
    Id,
    /// The record hangs off the object (a deleted user's factors).
    Parent,
    /// The record is the object as a member of something else (a deleted user in
    /// `group_members` or `app_users`, whose own id is the user's).
    Member,
}

/// One row: events whose type matches, and what they mean for an incremental run.
#[derive(Debug)]
pub struct Trigger {
    /// The event type, or a prefix of it when it ends with `.`.
    pub event_type: &'static str,
    /// A word the event type must also contain (`grant` in `app.oauth2.*grant*`).
    pub containing: Option<&'static str>,
    /// The target type that names the object (`User`, `UserGroup`, `AppInstance`).
    pub target: &'static str,
    /// Child resources read again for the named object.
    pub reread: &'static [&'static str],
    /// For a delete: the resources the object leaves, and how its records are found.
    pub removes: &'static [(&'static str, By)],
}

const fn reread(
    event_type: &'static str,
    target: &'static str,
    reread: &'static [&'static str],
) -> Trigger {
    Trigger {
        event_type,
        containing: None,
        target,
        reread,
        removes: &[],
    }
}

/// The events an incremental run acts on. A type may match several rows (a user's delete is a
/// lifecycle event too); each row's effect applies.
pub const TRIGGERS: &[Trigger] = &[
    reread("user.mfa.factor.", "User", &["user_factors"]),
    // A lifecycle change (deactivation, reactivation, …) also changes what Okta serves of the
    // user's factors, even where the user's own record shows nothing new.
    reread("user.lifecycle.", "User", &["user_factors"]),
    Trigger {
        removes: &[
            ("users", By::Id),
            ("user_factors", By::Parent),
            ("group_members", By::Member),
            ("app_users", By::Member),
        ],
        ..reread("user.lifecycle.delete.", "User", &[])
    },
    reread("group.user_membership.", "UserGroup", &["group_members"]),
    Trigger {
        removes: &[
            ("groups", By::Id),
            ("group_members", By::Parent),
            ("app_groups", By::Member),
        ],
        ..reread("group.lifecycle.delete", "UserGroup", &[])
    },
    reread(
        "application.user_membership.",
        "AppInstance",
        &["app_users"],
    ),
    // Okta logs a group's app assignment under both names.
    reread(
        "group.application_assignment.",
        "AppInstance",
        &["app_groups"],
    ),
    reread(
        "application.group_membership.",
        "AppInstance",
        &["app_groups"],
    ),
    reread(
        "application.lifecycle.",
        "AppInstance",
        &["app_users", "app_groups", "app_grants"],
    ),
    Trigger {
        containing: Some("grant"),
        ..reread("app.oauth2.", "AppInstance", &["app_grants"])
    },
];

impl Trigger {
    pub fn matches(&self, event_type: &str) -> bool {
        let typed = match self.event_type.strip_suffix('.') {
            Some(prefix) => event_type
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.')),
            None => event_type == self.event_type,
        };
        typed && self.containing.is_none_or(|word| event_type.contains(word))
    }
}

/// What the events of a window ask of an incremental run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Named {
    /// Child resource → the parents whose listing is read again.
    pub reread: BTreeMap<&'static str, BTreeSet<String>>,
    /// Resource → the ids removed, and how their records are found.
    pub removed: BTreeMap<&'static str, BTreeMap<String, By>>,
    /// Events that matched a row.
    pub events: u64,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "eventType", borrow)]
    event_type: std::borrow::Cow<'a, str>,
    #[serde(default)]
    target: Option<Vec<Target>>,
    #[serde(default)]
    outcome: Option<Outcome>,
}

#[derive(Deserialize)]
struct Target {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Outcome {
    result: Option<String>,
}

impl Named {
    /// Takes in one System Log event (as Okta sent it). An event whose outcome is not a
    /// success still counts for a re-read (reading again is never wrong) but never for a
    /// removal: a failed delete deleted nothing.
    pub fn offer(&mut self, raw: &str) {
        let Ok(event) = serde_json::from_str::<Event>(raw) else {
            return;
        };
        let succeeded = event
            .outcome
            .as_ref()
            .and_then(|o| o.result.as_deref())
            .is_none_or(|r| r == "SUCCESS");
        let mut matched = false;
        for trigger in TRIGGERS.iter().filter(|t| t.matches(&event.event_type)) {
            matched = true;
            let ids = event
                .target
                .iter()
                .flatten()
                .filter(|t| t.kind.as_deref() == Some(trigger.target))
                .filter_map(|t| t.id.clone());
            for id in ids {
                for child in trigger.reread {
                    self.reread.entry(child).or_default().insert(id.clone());
                }
                if succeeded {
                    for (resource, by) in trigger.removes {
                        self.removed
                            .entry(resource)
                            .or_default()
                            .insert(id.clone(), *by);
                    }
                }
            }
        }
        self.events += u64::from(matched);
    }

    /// The parents of `child` named for a re-read.
    pub fn reread_of(&self, child: &str) -> impl Iterator<Item = &String> {
        self.reread.get(child).into_iter().flatten()
    }

    /// Ids removed from `resource` and found `by` that way.
    pub fn removed_from(&self, resource: &str, by: By) -> impl Iterator<Item = &String> {
        self.removed
            .get(resource)
            .into_iter()
            .flatten()
            .filter(move |(_, b)| **b == by)
            .map(|(id, _)| id)
    }

    /// Whether the id is removed from `resource` in the way given.
    pub fn is_removed(&self, resource: &str, id: &str, by: By) -> bool {
        self.removed
            .get(resource)
            .and_then(|r| r.get(id))
            .is_some_and(|b| *b == by)
    }
}

/// The System Log `filter` that asks Okta for just these events (the log's own bucket is
/// small; a filtered query reads what matters in a page or two).
pub fn filter() -> String {
    // A row whose type another row's prefix already covers adds nothing to the query.
    let covered = |t: &Trigger| {
        TRIGGERS.iter().any(|other| {
            other.event_type != t.event_type
                && other.event_type.ends_with('.')
                && t.event_type.starts_with(other.event_type)
        })
    };
    let mut terms: Vec<String> = TRIGGERS
        .iter()
        .filter(|t| !covered(t))
        .map(|t| match t.event_type.strip_suffix('.') {
            Some(prefix) => format!("eventType sw \"{prefix}.\""),
            None => format!("eventType eq \"{}\"", t.event_type),
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, result: &str, targets: &[(&str, &str)]) -> String {
        json!({
            "uuid": "u1",
            "eventType": kind,
            "outcome": { "result": result },
            "target": targets.iter().map(|(id, t)| json!({ "id": id, "type": t })).collect::<Vec<_>>(),
        })
        .to_string()
    }

    fn named(events: &[String]) -> Named {
        let mut named = Named::default();
        for e in events {
            named.offer(e);
        }
        named
    }

    fn rereads(named: &Named, child: &str) -> Vec<String> {
        named.reread_of(child).cloned().collect()
    }

    /// One case per row: an event the row matches, the id it names, and what it causes.
    #[test]
    fn every_row_acts_on_its_events() {
        let cases: &[(&str, &str, &str, &str)] = &[
            // (event type, target type, child re-read or "" , removed resource or "")
            ("user.mfa.factor.activate", "User", "user_factors", ""),
            ("user.lifecycle.deactivate", "User", "user_factors", ""),
            ("user.lifecycle.delete.initiated", "User", "", "users"),
            (
                "group.user_membership.add",
                "UserGroup",
                "group_members",
                "",
            ),
            ("group.lifecycle.delete", "UserGroup", "", "groups"),
            (
                "application.user_membership.remove",
                "AppInstance",
                "app_users",
                "",
            ),
            (
                "group.application_assignment.add",
                "AppInstance",
                "app_groups",
                "",
            ),
            (
                "application.group_membership.remove",
                "AppInstance",
                "app_groups",
                "",
            ),
            (
                "application.lifecycle.create",
                "AppInstance",
                "app_grants",
                "",
            ),
            (
                "app.oauth2.admin.consent.grant",
                "AppInstance",
                "app_grants",
                "",
            ),
        ];
        for (row, (kind, target, child, removed)) in TRIGGERS.iter().zip(cases) {
            assert!(row.matches(kind), "row {} and {kind}", row.event_type);
            let named = named(&[event(
                kind,
                "SUCCESS",
                &[("x1", target), ("other", "Foreign")],
            )]);
            if !child.is_empty() {
                assert_eq!(rereads(&named, child), ["x1"], "{kind}");
            }
            if !removed.is_empty() {
                assert!(named.is_removed(removed, "x1", By::Id), "{kind}");
            }
            assert!(
                named.removed.values().flatten().all(|(id, _)| id == "x1")
                    && named.reread.values().flatten().all(|id| id == "x1"),
                "{kind}: only the target of the row's type is named"
            );
        }
        assert_eq!(cases.len(), TRIGGERS.len(), "a case per row");
    }

    /// Every resource a row names is read incrementally, as the child of a root it names.
    #[test]
    fn every_row_names_resources_of_incremental_groups() {
        for row in TRIGGERS {
            for name in row.reread.iter().chain(row.removes.iter().map(|(r, _)| r)) {
                let group = crate::resources::ALL
                    .iter()
                    .find(|g| g.resource(name).is_some())
                    .unwrap_or_else(|| panic!("{name} of {} is not declared", row.event_type));
                assert!(
                    group.incremental,
                    "{name} is in {}, which is read in full",
                    group.name
                );
            }
            for name in row.reread {
                let resource = crate::resources::find(name).unwrap();
                assert!(resource.parent.is_some(), "{name} is re-read per parent");
            }
        }
    }

    #[test]
    fn a_user_delete_removes_the_user_everywhere_they_appear() {
        let named = named(&[event(
            "user.lifecycle.delete.completed",
            "SUCCESS",
            &[("00u1", "User")],
        )]);
        assert!(named.is_removed("users", "00u1", By::Id));
        assert!(named.is_removed("user_factors", "00u1", By::Parent));
        assert!(named.is_removed("group_members", "00u1", By::Member));
        assert!(named.is_removed("app_users", "00u1", By::Member));
        assert!(!named.is_removed("group_members", "00u1", By::Parent));
    }

    #[test]
    fn a_failed_delete_removes_nothing_but_a_failed_change_is_read_again() {
        let named = named(&[
            event(
                "user.lifecycle.delete.initiated",
                "FAILURE",
                &[("00u1", "User")],
            ),
            event("user.mfa.factor.activate", "DENY", &[("00u2", "User")]),
        ]);
        assert!(named.removed.is_empty());
        assert_eq!(rereads(&named, "user_factors"), ["00u1", "00u2"]);
        assert_eq!(named.events, 2);
    }

    #[test]
    fn prefixes_match_whole_segments_and_words_are_required() {
        let row = |t: &str| TRIGGERS.iter().find(|r| r.event_type == t).unwrap();
        assert!(!row("user.mfa.factor.").matches("user.mfa.factorial"));
        assert!(!row("group.lifecycle.delete").matches("group.lifecycle.delete.extra"));
        assert!(row("app.oauth2.").matches("app.oauth2.as.consent.grant"));
        assert!(!row("app.oauth2.").matches("app.oauth2.as.token.revoke"));
        let unrelated = named(&[event("user.session.start", "SUCCESS", &[("00u1", "User")])]);
        assert_eq!(unrelated, Named::default());
    }

    #[test]
    fn the_filter_asks_for_every_row_once() {
        let filter = filter();
        assert!(filter.contains("eventType sw \"user.mfa.factor.\""));
        assert!(filter.contains("eventType eq \"group.lifecycle.delete\""));
        assert_eq!(filter.matches("user.lifecycle.").count(), 1, "{filter}");
        assert!(!filter.contains(" and "));
    }
}
