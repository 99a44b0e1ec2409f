//! Who made a change: the System Log event that names the changed object, in the window
//! between the two snapshots. The events are read from the tenant's own landed System Log
//! (no extra Okta requests); a change with no such event says so, and nothing is guessed.
//!
//! Which events can explain which changes is data: per resource, the event types (by prefix)
//! and which of the change's ids the event must name among its targets.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which of a change's ids an explaining event names among its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// The object's own id.
    Own,
    /// The parent's id (a user's factor: the event names the user).
    Parent,
    /// Both (a membership: the user and the group).
    Both,
    /// None: the event type alone says what changed (an org-wide setting).
    EventTypeOnly,
}

/// One way a change of `resource` is explained: events whose type starts with `prefix` and
/// whose targets name the change's ids as `names` says.
#[derive(Debug, Clone, Copy)]
pub struct Explains {
    pub resource: &'static str,
    pub prefix: &'static str,
    pub names: Names,
}

const fn explains(resource: &'static str, prefix: &'static str, names: Names) -> Explains {
    Explains {
        resource,
        prefix,
        names,
    }
}

/// The event types that explain each resource's changes.
pub const EXPLAINS: &[Explains] = &[
    explains("users", "user.lifecycle.", Names::Own),
    explains("users", "user.account.", Names::Own),
    explains("user_factors", "user.mfa.factor.", Names::Parent),
    // Deactivating a user ends what is read of their factors.
    explains("user_factors", "user.lifecycle.deactivate", Names::Parent),
    explains("groups", "group.lifecycle.", Names::Own),
    explains("groups", "group.profile.", Names::Own),
    explains("group_members", "group.user_membership.", Names::Both),
    // A deleted user leaves their groups and apps.
    explains("group_members", "user.lifecycle.delete", Names::Own),
    explains("group_rules", "group.rule.", Names::Own),
    explains("apps", "application.lifecycle.", Names::Own),
    explains("app_users", "application.user_membership.", Names::Both),
    explains("app_users", "user.lifecycle.delete", Names::Own),
    explains("app_groups", "application.group_membership.", Names::Both),
    explains("app_grants", "app.oauth2.", Names::Parent),
    explains("role_assignees", "user.account.privilege.", Names::Own),
    explains("user_roles", "user.account.privilege.", Names::Parent),
    explains("group_roles", "group.privilege.", Names::Parent),
    explains(
        "user_role_targets",
        "user.account.privilege.",
        Names::Parent,
    ),
    explains("group_role_targets", "group.privilege.", Names::Parent),
    explains("policies", "policy.lifecycle.", Names::Own),
    explains("policy_rules", "policy.rule.", Names::Own),
    explains("network_zones", "zone.", Names::Own),
    explains("idps", "system.idp.lifecycle.", Names::Own),
    explains(
        "threat_insight",
        "security.threat.configuration.",
        Names::EventTypeOnly,
    ),
    explains(
        "org_settings",
        "user.session.impersonation.",
        Names::EventTypeOnly,
    ),
    explains("org_settings", "system.org.", Names::EventTypeOnly),
    explains("api_tokens", "system.api_token.", Names::Own),
    explains(
        "authenticators",
        "security.authenticator.lifecycle.",
        Names::Own,
    ),
    explains("event_hooks", "event_hook.", Names::Own),
    explains("inline_hooks", "inline_hook.", Names::Own),
    explains("log_streams", "system.log_stream.", Names::Own),
];

/// What a change record says of its cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub display_name: Option<String>,
    pub alternate_id: Option<String>,
}

/// The event a change is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    pub event_uuid: String,
    pub event_type: String,
    pub published: DateTime<Utc>,
    pub actor: Actor,
    pub client_ip: Option<String>,
}

/// The parts of a System Log event attribution reads.
#[derive(Deserialize)]
struct Event {
    uuid: String,
    #[serde(rename = "eventType")]
    event_type: String,
    published: DateTime<Utc>,
    actor: Option<EventActor>,
    client: Option<Client>,
    #[serde(default)]
    target: Option<Vec<Target>>,
}

#[derive(Deserialize)]
struct EventActor {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    #[serde(rename = "alternateId")]
    alternate_id: Option<String>,
}

#[derive(Deserialize)]
struct Client {
    #[serde(rename = "ipAddress")]
    ip_address: Option<String>,
}

#[derive(Deserialize)]
struct Target {
    id: Option<String>,
}

/// The events of a window that can explain some of the changes found, indexed for lookup.
pub struct Causes {
    /// Events published outside it are not kept.
    window: (DateTime<Utc>, DateTime<Utc>),
    events: Vec<(Cause, Vec<String>)>,
    by_target: HashMap<String, Vec<usize>>,
    by_prefix_only: Vec<usize>,
}

impl Default for Causes {
    fn default() -> Self {
        Self::within(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
    }
}

impl Causes {
    /// Keeps events published from `start` to `end`.
    pub fn within(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            window: (start, end),
            events: Vec::new(),
            by_target: HashMap::new(),
            by_prefix_only: Vec::new(),
        }
    }

    /// Keeps `event` (one System Log event) if its type explains a change of one of
    /// `resources` and, where the type alone does not say, it names one of `ids`.
    pub fn offer(&mut self, event: &Value, resources: &HashSet<&str>, ids: &HashSet<String>) {
        let Ok(event) = Event::deserialize(event) else {
            return;
        };
        if event.published < self.window.0 || event.published > self.window.1 {
            return;
        }
        let rows: Vec<&Explains> = EXPLAINS
            .iter()
            .filter(|e| resources.contains(e.resource) && event.event_type.starts_with(e.prefix))
            .collect();
        if rows.is_empty() {
            return;
        }
        let targets: Vec<String> = event
            .target
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| t.id)
            .collect();
        let type_only = rows.iter().any(|r| r.names == Names::EventTypeOnly);
        if !type_only && !targets.iter().any(|t| ids.contains(t)) {
            return;
        }
        let actor = event.actor.unwrap_or(EventActor {
            id: None,
            kind: None,
            display_name: None,
            alternate_id: None,
        });
        let cause = Cause {
            event_uuid: event.uuid,
            event_type: event.event_type,
            published: event.published,
            actor: Actor {
                id: actor.id,
                kind: actor.kind,
                display_name: actor.display_name,
                alternate_id: actor.alternate_id,
            },
            client_ip: event.client.and_then(|c| c.ip_address),
        };
        let at = self.events.len();
        for t in &targets {
            self.by_target.entry(t.clone()).or_default().push(at);
        }
        if type_only {
            self.by_prefix_only.push(at);
        }
        self.events.push((cause, targets));
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The latest event that explains the change of `resource`'s object at `key`
    /// (`{parent}/{id}` for a child), or `None`.
    pub fn cause_of(&self, resource: &str, key: &str) -> Option<&Cause> {
        let (parent, own) = match key.split_once('/') {
            Some((parent, own)) => (Some(parent), own),
            None => (None, key),
        };
        let rows: Vec<&Explains> = EXPLAINS.iter().filter(|e| e.resource == resource).collect();
        let explains = |(cause, targets): &(Cause, Vec<String>)| {
            let names = |id: Option<&str>| id.is_some_and(|id| targets.iter().any(|t| t == id));
            rows.iter().any(|row| {
                cause.event_type.starts_with(row.prefix)
                    && match row.names {
                        Names::Own => names(Some(own)),
                        Names::Parent => names(parent),
                        Names::Both => names(Some(own)) && names(parent),
                        Names::EventTypeOnly => true,
                    }
            })
        };
        let candidates = [Some(own), parent]
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_target.get(id))
            .flatten()
            .chain(&self.by_prefix_only);
        candidates
            .map(|&i| &self.events[i])
            .filter(|e| explains(e))
            .max_by_key(|(cause, _)| cause.published)
            .map(|(cause, _)| cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;
    use serde_json::json;

    #[test]
    fn every_row_names_a_resource() {
        for row in EXPLAINS {
            assert!(resources::find(row.resource).is_some(), "{}", row.resource);
        }
    }

    fn event(uuid: &str, event_type: &str, at: &str, targets: &[&str]) -> Value {
        json!({
            "uuid": uuid, "eventType": event_type, "published": at,
            "actor": {"id": "00uadmin", "type": "User", "displayName": "Ada Admin", "alternateId": "ada@example.com"},
            "client": {"ipAddress": "198.51.100.7"},
            "target": targets.iter().map(|t| json!({"id": t})).collect::<Vec<_>>(),
        })
    }

    /// One case per row of [`EXPLAINS`]: an event of its type naming what it must name
    /// explains the change, and the same event naming nothing does not (unless the type
    /// alone explains it).
    #[test]
    fn each_row_explains_its_changes() {
        for row in EXPLAINS {
            let key = match resources::find(row.resource).unwrap().parent {
                Some(_) => "00p1/00c1",
                None => "00c1",
            };
            let (parent, own) = key
                .split_once('/')
                .map_or((None, key), |(p, o)| (Some(p), o));
            let named: Vec<&str> = match row.names {
                Names::Own => vec![own],
                Names::Parent => parent.into_iter().collect(),
                Names::Both => parent.into_iter().chain([own]).collect(),
                Names::EventTypeOnly => vec![],
            };
            let event_type = format!("{}x", row.prefix);
            let resources = HashSet::from([row.resource]);
            let ids: HashSet<String> = ["00p1", "00c1"].map(String::from).into();
            let mut causes = Causes::default();
            causes.offer(
                &event(
                    &format!("u-{}", row.prefix),
                    &event_type,
                    "2026-12-01T10:00:00Z",
                    &named,
                ),
                &resources,
                &ids,
            );
            let cause = causes.cause_of(row.resource, key);
            assert_eq!(
                cause.map(|c| c.actor.id.as_deref()),
                Some(Some("00uadmin")),
                "{} {}",
                row.resource,
                row.prefix
            );
            let mut unrelated = Causes::default();
            unrelated.offer(
                &event("u-other", &event_type, "2026-12-01T10:00:00Z", &["00zzz"]),
                &resources,
                &ids,
            );
            assert_eq!(
                unrelated.cause_of(row.resource, key).is_some(),
                row.names == Names::EventTypeOnly,
                "{} {}",
                row.resource,
                row.prefix
            );
        }
    }

    #[test]
    fn the_latest_explaining_event_wins_and_others_are_not_kept() {
        let resources = HashSet::from(["group_members"]);
        let ids: HashSet<String> = ["00g1", "00u1"].map(String::from).into();
        let mut causes = Causes::default();
        for (uuid, event_type, at, targets) in [
            (
                "a",
                "group.user_membership.add",
                "2026-12-01T10:00:00Z",
                vec!["00u1", "00g1"],
            ),
            (
                "b",
                "group.user_membership.remove",
                "2026-12-01T11:00:00Z",
                vec!["00u1", "00g1"],
            ),
            (
                "c",
                "group.user_membership.add",
                "2026-12-01T12:00:00Z",
                vec!["00u1", "00g9"],
            ),
            (
                "d",
                "user.session.start",
                "2026-12-01T12:00:00Z",
                vec!["00u1"],
            ),
        ] {
            causes.offer(&event(uuid, event_type, at, &targets), &resources, &ids);
        }
        assert_eq!(causes.len(), 3, "the sign-in explains nothing here");
        let cause = causes.cause_of("group_members", "00g1/00u1").unwrap();
        assert_eq!(cause.event_uuid, "b");
        assert_eq!(cause.client_ip.as_deref(), Some("198.51.100.7"));
        assert!(causes.cause_of("group_members", "00g2/00u1").is_none());
    }
}
