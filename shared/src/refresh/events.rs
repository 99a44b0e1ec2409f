//! Which System Log events say that an object's children must be read again, or that an
//! object is gone: the table an incremental run reads the log with.
//!
//! A root listing filtered by `lastUpdated` finds the objects that changed themselves, but
//! not a factor enrolled, a member added or a grant given (none of which is known to move the
//! parent's `lastUpdated`), and never a hard delete. Those come from the events here. Each row
//! names an event type (or a prefix of them), the kind of target that names the object, the
//! child resources whose listing for that object is read again, and the resources the object
//! is removed from when the event is a delete.
//!
//! Some events carry a child's change whole ([`MEMBERSHIPS`]): a member added to or removed
//! from a group names both. Those are applied to the previous members instead of reading the
//! group's members again, which for a group like Everyone is hundreds of pages.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
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
    // A member added or removed is applied from the event itself ([`MEMBERSHIPS`]); any other
    // event under this prefix reads the group's members again.
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

/// A child listing whose changes the log carries whole: each event names the parent and the
/// member, so an incremental run applies it to the previous state. A member added is written
/// as its record in the resource the child mirrors (`group_members` mirrors `users`).
#[derive(Debug)]
pub struct Membership {
    pub child: &'static str,
    /// The event type of a member added, and of one removed (successful ones only).
    pub added: &'static str,
    pub removed: &'static str,
    /// The target types naming the parent and the member.
    pub parent: &'static str,
    pub member: &'static str,
    /// The parent's field that Okta moves with every change to its members: a move that no
    /// event explains means a change the log did not carry, and the listing is read again.
    pub moved: &'static str,
}

pub const MEMBERSHIPS: &[Membership] = &[Membership {
    child: "group_members",
    added: "group.user_membership.add",
    removed: "group.user_membership.remove",
    parent: "UserGroup",
    member: "User",
    moved: "/lastMembershipUpdated",
}];

/// How far apart an event's `published` and the parent's moved field may be for the event to
/// explain the move: Okta stamps both in the same request, milliseconds apart.
pub const EXPLAINED_WITHIN: Duration = Duration::seconds(2);

impl Membership {
    /// Whether `event_type` adds a member (`Some(true)`), removes one (`Some(false)`), or is
    /// not this membership's.
    fn direction(&self, event_type: &str) -> Option<bool> {
        match event_type {
            t if t == self.added => Some(true),
            t if t == self.removed => Some(false),
            _ => None,
        }
    }
}

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
    /// Child resource → parent → member → whether the member is in, by its last event in the
    /// window ([`MEMBERSHIPS`]).
    pub members: BTreeMap<&'static str, BTreeMap<String, BTreeMap<String, Member>>>,
    /// Child resource → parent → when events changed its members.
    moved: BTreeMap<&'static str, BTreeMap<String, Vec<DateTime<Utc>>>>,
    /// Child resource → when a delete took a member out of every parent (a user deleted).
    left_everywhere: BTreeMap<&'static str, Vec<DateTime<Utc>>>,
}

/// A member's last change in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub added: bool,
    pub at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "eventType", borrow)]
    event_type: std::borrow::Cow<'a, str>,
    #[serde(default)]
    target: Option<Vec<Target>>,
    #[serde(default)]
    outcome: Option<Outcome>,
    #[serde(default)]
    published: Option<DateTime<Utc>>,
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
        let targets = |kind: &'static str| {
            event
                .target
                .iter()
                .flatten()
                .filter(move |t| t.kind.as_deref() == Some(kind))
                .filter_map(|t| t.id.clone())
        };
        // A membership event is applied only when it succeeded and says when; otherwise its
        // parent is read again like any other event's.
        let applied = MEMBERSHIPS.iter().find_map(|m| {
            let added = m.direction(&event.event_type)?;
            let at = event.published.filter(|_| succeeded)?;
            Some((m, Member { added, at }))
        });
        if let Some((membership, member)) = applied {
            for parent in targets(membership.parent) {
                self.moved
                    .entry(membership.child)
                    .or_default()
                    .entry(parent.clone())
                    .or_default()
                    .push(member.at);
                let members = self
                    .members
                    .entry(membership.child)
                    .or_default()
                    .entry(parent)
                    .or_default();
                for id in targets(membership.member) {
                    // The log's order is `published`'s; the later event is the state.
                    let last = members.entry(id).or_insert(member);
                    if member.at >= last.at {
                        *last = member;
                    }
                }
            }
        }
        let mut matched = false;
        for trigger in TRIGGERS.iter().filter(|t| t.matches(&event.event_type)) {
            matched = true;
            for id in targets(trigger.target) {
                for child in trigger.reread {
                    if applied.is_some_and(|(m, _)| m.child == *child) {
                        continue;
                    }
                    self.reread.entry(child).or_default().insert(id.clone());
                }
                if succeeded {
                    for (resource, by) in trigger.removes {
                        self.removed
                            .entry(resource)
                            .or_default()
                            .insert(id.clone(), *by);
                        if let (By::Member, Some(at)) = (by, event.published) {
                            self.left_everywhere.entry(resource).or_default().push(at);
                        }
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

    /// Whether an event explains that `parent`'s members in `child` changed at `moved`: one
    /// applied to it, or a delete that took a member out of every parent, at that moment.
    pub fn explains(&self, child: &str, parent: &str, moved: DateTime<Utc>) -> bool {
        let near = |at: &DateTime<Utc>| (*at - moved).abs() <= EXPLAINED_WITHIN;
        let applied = self.moved.get(child).and_then(|m| m.get(parent));
        applied.into_iter().flatten().any(near)
            || self
                .left_everywhere
                .get(child)
                .into_iter()
                .flatten()
                .any(near)
    }

    /// The members `child`'s events added to or removed from `parent`.
    pub fn members_of(&self, child: &str, parent: &str) -> Option<&BTreeMap<String, Member>> {
        self.members.get(child)?.get(parent)
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

    fn membership(kind: &str, result: &str, group: &str, user: &str, at: &str) -> String {
        let mut e: serde_json::Value = serde_json::from_str(&event(
            kind,
            result,
            &[(user, "User"), (group, "UserGroup")],
        ))
        .unwrap();
        e["published"] = json!(at);
        e.to_string()
    }

    /// A successful add of `user` to `group` at `at`.
    fn added(group: &str, user: &str, at: &str) -> String {
        membership("group.user_membership.add", "SUCCESS", group, user, at)
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A member added or removed is applied from the event, the last one in the window
    /// winning, and the group's members are not read again for it.
    #[test]
    fn membership_events_are_applied_not_read_again() {
        let named = named(&[
            added("00g1", "00u1", "2026-12-01T10:00:00.000Z"),
            membership(
                "group.user_membership.remove",
                "SUCCESS",
                "00g1",
                "00u1",
                "2026-12-01T10:05:00.000Z",
            ),
            membership(
                "group.user_membership.remove",
                "SUCCESS",
                "00g1",
                "00u2",
                "2026-12-01T10:01:00.000Z",
            ),
            added("00g1", "00u2", "2026-12-01T10:02:00.000Z"),
        ]);
        let members = named.members_of("group_members", "00g1").unwrap();
        assert!(!members["00u1"].added, "removed after it was added");
        assert!(members["00u2"].added, "added after it was removed");
        assert_eq!(rereads(&named, "group_members"), Vec::<String>::new());
        assert_eq!(named.events, 4);
    }

    /// A failed membership change changed nothing; one without a time cannot be placed. Neither
    /// is applied, and the one without a time reads the group again.
    #[test]
    fn membership_events_that_cannot_be_applied_are_not() {
        let failed = named(&[membership(
            "group.user_membership.add",
            "FAILURE",
            "00g1",
            "00u1",
            "2026-12-01T10:00:00.000Z",
        )]);
        assert!(failed.members.is_empty());
        assert_eq!(rereads(&failed, "group_members"), ["00g1"]);
        let untimed = named(&[event(
            "group.user_membership.add",
            "SUCCESS",
            &[("00u1", "User"), ("00g1", "UserGroup")],
        )]);
        assert!(untimed.members.is_empty());
        assert_eq!(rereads(&untimed, "group_members"), ["00g1"]);
    }

    /// A group's `lastMembershipUpdated` is explained by an event applied to that group at that
    /// moment, or by a user's delete then; nothing else explains it.
    #[test]
    fn a_membership_move_is_explained_only_by_an_event_at_that_moment() {
        let mut deleted: serde_json::Value = serde_json::from_str(&event(
            "user.lifecycle.delete.initiated",
            "SUCCESS",
            &[("00u9", "User")],
        ))
        .unwrap();
        deleted["published"] = json!("2026-12-01T11:00:00.000Z");
        let named = named(&[
            added("00g1", "00u1", "2026-12-01T10:00:00.000Z"),
            deleted.to_string(),
        ]);
        let explains = |group, time| named.explains("group_members", group, at(time));
        assert!(explains("00g1", "2026-12-01T10:00:00.000Z"));
        assert!(explains("00g1", "2026-12-01T10:00:01.900Z"));
        assert!(
            !explains("00g1", "2026-12-01T10:00:03.000Z"),
            "a later move"
        );
        assert!(
            !explains("00g2", "2026-12-01T10:00:00.000Z"),
            "another group's event"
        );
        assert!(
            explains("00g2", "2026-12-01T11:00:00.500Z"),
            "the delete took a member out"
        );
        assert!(!named.explains("app_users", "0oa1", at("2026-12-01T10:00:00.000Z")));
    }

    /// Every membership applied is a child of an incremental group that mirrors its members,
    /// and the log query asks for its events.
    #[test]
    fn every_membership_is_asked_for_and_has_its_members_records() {
        let filter = filter();
        for m in MEMBERSHIPS {
            let child = crate::resources::find(m.child).unwrap();
            assert!(
                child.parent.is_some() && child.mirrors.is_some(),
                "{}",
                m.child
            );
            for kind in [m.added, m.removed] {
                let prefix = kind.rsplit_once('.').unwrap().0;
                assert!(
                    filter.contains(&format!("eventType sw \"{prefix}.\"")),
                    "{kind}"
                );
            }
        }
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
