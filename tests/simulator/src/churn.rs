//! Churn: the org changing between runs as a real org does. Users join, change, are
//! suspended, leave and are deleted; memberships, admin roles, factors, policy rules, app
//! grants, zones, IdPs and settings change. Every change is made by an admin, logged in the
//! System Log with that admin as the actor, and returned as truth for tests. Sign-ins move
//! users' `lastLogin` too, which is not a change anyone made (and is not in the truth).

use std::collections::BTreeSet;

use chrono::Utc;
use serde_json::{Value, json};

use crate::data::Dataset;
use crate::ids::{okta_id, timestamp};
use crate::state::OrgState;
use crate::system_log::{Given, GivenTarget};

/// One change the churn made, as the change feed should report it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Our resource name (`users`, `user_factors`, …).
    pub resource: &'static str,
    /// The object's key: its id, `{parent id}/{id}` for a child, the setting's name for an
    /// org setting, empty for a singleton.
    pub key: String,
    /// `added`, `removed` or `modified`.
    pub change: &'static str,
    /// The System Log event that records it.
    pub event_type: &'static str,
    pub uuid: String,
    /// The admin who made it.
    pub actor_id: String,
}

/// How much one step changes: the user-level changes each happen this many times (admin
/// roles, policies, apps, zones and settings change once a step).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rate {
    profiles: usize,
    lifecycle: usize,
    memberships: usize,
    factors: usize,
}

impl Rate {
    /// A few of each: three profile edits, one of every other change.
    pub(crate) const FEW: Rate = Rate {
        profiles: 3,
        lifecycle: 1,
        memberships: 1,
        factors: 1,
    };

    /// About `fraction` of `users` changed in one step: half of them profile edits, the rest
    /// spread over suspensions, deactivations, reactivations, new and deleted users (a tenth
    /// each), and as many membership and factor changes.
    pub(crate) fn of(users: usize, fraction: f64) -> Rate {
        let changed = (users as f64 * fraction).round() as usize;
        let tenth = (changed / 10).max(1);
        Rate {
            profiles: (changed / 2).max(3),
            lifecycle: tenth,
            memberships: tenth,
            factors: tenth,
        }
    }
}

/// Applies one step of churn (seeded by the org's seed and `step`) and returns its changes.
pub(crate) fn apply(org: &OrgState, step: u64, rate: Rate) -> Vec<Change> {
    let mut data = Dataset::clone(&org.data());
    let mut churn = Churn {
        rng: fastrand::Rng::with_seed(org.config.seed ^ step.wrapping_mul(0x2545_F491_4F6C_DD1D)),
        org,
        changes: Vec::new(),
        actor: admin(&data),
        touched: BTreeSet::new(),
    };
    let c = &mut churn;
    c.sign_ins(&mut data);
    c.update_profiles(&mut data, rate.profiles);
    for _ in 0..rate.lifecycle {
        c.suspend_and_unsuspend(&mut data);
        c.deactivate(&mut data);
        c.activate(&mut data);
        c.create_user(&mut data);
        c.delete_user(&mut data);
    }
    for _ in 0..rate.memberships {
        c.memberships(&mut data);
    }
    c.user_roles(&mut data);
    c.group_role(&mut data);
    for _ in 0..rate.factors {
        c.factors(&mut data);
    }
    c.loosen_policy_rule(&mut data);
    c.app_grant(&mut data);
    c.create_app_and_assign(&mut data);
    c.widen_zone(&mut data);
    c.okta_support(&mut data);
    c.rename_idp(&mut data);
    c.threat_insight(&mut data);
    c.group_rule(&mut data);
    org.replace_data(data);
    churn.changes.sort();
    churn.changes
}

struct Churn<'o> {
    rng: fastrand::Rng,
    org: &'o OrgState,
    changes: Vec<Change>,
    /// id, login, display name of the admin making the changes.
    actor: (String, String, String),
    /// Users changed in this step: none is changed twice, so no change undoes another.
    touched: BTreeSet<String>,
}

/// The org's super admin (the first user holding SUPER_ADMIN), or its first user.
fn admin(data: &Dataset) -> (String, String, String) {
    let id = data
        .user_roles
        .iter()
        .find(|(_, held)| held.iter().any(|r| r["type"] == "SUPER_ADMIN"))
        .map(|(id, _)| id.clone())
        .or_else(|| {
            data.users
                .first()
                .and_then(|u| u["id"].as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let user = data.user(&id).cloned().unwrap_or(Value::Null);
    let login = user["profile"]["login"]
        .as_str()
        .unwrap_or("admin")
        .to_owned();
    let name = format!(
        "{} {}",
        user["profile"]["firstName"].as_str().unwrap_or("Org"),
        user["profile"]["lastName"].as_str().unwrap_or("Admin")
    );
    (id, login, name)
}

/// Whether a group's members are read: served, and inside the caller's admin scope.
fn members_read(data: &Dataset, group: &str) -> bool {
    data.serves_members(group) && !data.groups_outside_admin_scope.contains(group)
}

/// Standard roles a grant picks from: type and label.
const ROLES: &[(&str, &str)] = &[
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("READ_ONLY_ADMIN", "Read-only Administrator"),
    ("REPORT_ADMIN", "Report Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("MOBILE_ADMIN", "Mobile Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
];

/// A standard role none of `held` is (one principal holds each role once).
fn role_not_held(held: Option<&[Value]>) -> Option<(&'static str, &'static str)> {
    let held = held.unwrap_or_default();
    ROLES
        .iter()
        .copied()
        .find(|(kind, _)| !held.iter().any(|r| r["type"] == *kind))
}

fn id_of(object: &Value) -> String {
    object["id"].as_str().unwrap_or_default().to_owned()
}

fn now() -> String {
    timestamp(Utc::now())
}

/// A target naming a user.
fn user_target(user: &Value) -> GivenTarget {
    GivenTarget {
        id: id_of(user),
        kind: "User",
        alternate: user["profile"]["login"]
            .as_str()
            .unwrap_or("unknown")
            .to_owned(),
        display: format!(
            "{} {}",
            user["profile"]["firstName"].as_str().unwrap_or_default(),
            user["profile"]["lastName"].as_str().unwrap_or_default()
        ),
    }
}

/// A target naming any other object.
fn object_target(id: &str, kind: &'static str, display: &str) -> GivenTarget {
    GivenTarget {
        id: id.to_owned(),
        kind,
        alternate: "unknown".into(),
        display: display.to_owned(),
    }
}

impl Churn<'_> {
    /// Logs the event for changes to objects, and records them.
    fn log(
        &mut self,
        (event_type, legacy, message): (&'static str, &'static str, &'static str),
        targets: Vec<GivenTarget>,
        changed: Vec<(&'static str, String, &'static str)>,
    ) {
        let uuid = self.org.system_log.append_given(Given {
            event_type,
            legacy,
            message,
            actor: self.actor.clone(),
            targets,
        });
        for (resource, key, change) in changed {
            self.changes.push(Change {
                resource,
                key,
                change,
                event_type,
                uuid: uuid.clone(),
                actor_id: self.actor.0.clone(),
            });
        }
    }

    /// Indexes of users with `status` (never the admin, nor a user changed in this step), in
    /// a random order.
    fn users_with(&mut self, data: &Dataset, status: &str) -> Vec<usize> {
        let mut found: Vec<usize> = (0..data.users.len())
            .filter(|&i| {
                let id = id_of(&data.users[i]);
                data.users[i]["status"] == status
                    && id != self.actor.0
                    && !self.touched.contains(&id)
            })
            .collect();
        self.rng.shuffle(&mut found);
        found
    }

    /// Sign-ins: `lastLogin` moves, which no one changed.
    fn sign_ins(&mut self, data: &mut Dataset) {
        for i in self.users_with(data, "ACTIVE").into_iter().take(5) {
            data.users[i]["lastLogin"] = json!(now());
        }
    }

    fn update_profiles(&mut self, data: &mut Dataset, count: usize) {
        for i in self.users_with(data, "ACTIVE").into_iter().take(count) {
            let title = format!("Engineer {}", self.rng.u16(..));
            self.touched.insert(id_of(&data.users[i]));
            let user = &mut data.users[i];
            user["profile"]["title"] = json!(title);
            user["lastUpdated"] = json!(now());
            let target = user_target(user);
            let key = id_of(user);
            self.log(
                (
                    "user.account.update_profile",
                    "core.user.config.profile_update.success",
                    "Update user profile for Okta",
                ),
                vec![target],
                vec![("users", key, "modified")],
            );
        }
    }

    fn set_status(&mut self, data: &mut Dataset, i: usize, status: &str) -> GivenTarget {
        self.touched.insert(id_of(&data.users[i]));
        let user = &mut data.users[i];
        user["status"] = json!(status);
        user["statusChanged"] = json!(now());
        user["lastUpdated"] = json!(now());
        user_target(user)
    }

    fn suspend_and_unsuspend(&mut self, data: &mut Dataset) {
        if let Some(&i) = self.users_with(data, "SUSPENDED").first() {
            let target = self.set_status(data, i, "ACTIVE");
            let key = id_of(&data.users[i]);
            self.log(
                (
                    "user.lifecycle.unsuspend",
                    "core.user.config.user_status.unsuspend",
                    "Unsuspend Okta user",
                ),
                vec![target],
                vec![("users", key, "modified")],
            );
        }
        if let Some(&i) = self.users_with(data, "ACTIVE").first() {
            let target = self.set_status(data, i, "SUSPENDED");
            let key = id_of(&data.users[i]);
            self.log(
                (
                    "user.lifecycle.suspend",
                    "core.user.config.user_status.suspend",
                    "Suspend Okta user",
                ),
                vec![target],
                vec![("users", key, "modified")],
            );
        }
    }

    /// An ACTIVE user is deactivated: their factors are no longer read (Okta answers 404 for
    /// a deprovisioned user's factors), so each goes from the feed too.
    fn deactivate(&mut self, data: &mut Dataset) {
        let Some(&i) = self.users_with(data, "ACTIVE").first() else {
            return;
        };
        let target = self.set_status(data, i, "DEPROVISIONED");
        let id = id_of(&data.users[i]);
        let mut changed = vec![("users", id.clone(), "modified")];
        let factors = data
            .factors
            .insert(id.clone(), Vec::new())
            .unwrap_or_default();
        changed.extend(
            factors
                .iter()
                .map(|f| ("user_factors", format!("{id}/{}", id_of(f)), "removed")),
        );
        self.log(
            (
                "user.lifecycle.deactivate",
                "core.user.config.user_deactivated",
                "Deactivate Okta user",
            ),
            vec![target],
            changed,
        );
    }

    fn activate(&mut self, data: &mut Dataset) {
        let Some(&i) = self.users_with(data, "DEPROVISIONED").first() else {
            return;
        };
        let target = self.set_status(data, i, "ACTIVE");
        let key = id_of(&data.users[i]);
        self.log(
            (
                "user.lifecycle.activate",
                "core.user.config.user_activated",
                "Activate Okta user",
            ),
            vec![target],
            vec![("users", key, "modified")],
        );
    }

    fn create_user(&mut self, data: &mut Dataset) {
        let Some(template) = data.users.iter().find(|u| u["status"] == "ACTIVE").cloned() else {
            return;
        };
        let id = okta_id(&mut self.rng, "00u");
        let n = self.rng.u32(..);
        let mut user = template;
        user["id"] = json!(id);
        user["profile"]["firstName"] = json!("New");
        user["profile"]["lastName"] = json!(format!("Hire{n}"));
        user["profile"]["login"] = json!(format!("new.hire{n}@example.com"));
        user["profile"]["email"] = json!(format!("new.hire{n}@example.com"));
        user["created"] = json!(now());
        user["activated"] = json!(now());
        user["lastUpdated"] = json!(now());
        user["lastLogin"] = Value::Null;
        let target = user_target(&user);
        data.factors.insert(id.clone(), Vec::new());
        self.touched.insert(id.clone());
        data.users.push(user);
        data.users
            .sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        self.log(
            (
                "user.lifecycle.create",
                "core.user.config.user_creation.success",
                "Create Okta user",
            ),
            vec![target],
            vec![("users", id, "added")],
        );
    }

    /// A deprovisioned user without admin roles is deleted: gone from the listings, their
    /// group memberships and app assignments with them.
    fn delete_user(&mut self, data: &mut Dataset) {
        let Some(i) = self
            .users_with(data, "DEPROVISIONED")
            .into_iter()
            .find(|&i| !data.user_roles.contains_key(&id_of(&data.users[i])))
        else {
            return;
        };
        let user = data.users.remove(i);
        let id = id_of(&user);
        data.factors.remove(&id);
        let mut changed = vec![("users", id.clone(), "removed")];
        let served: BTreeSet<String> = data
            .group_members
            .keys()
            .filter(|g| members_read(data, g))
            .cloned()
            .collect();
        let mut left = Vec::new();
        for (group, members) in data.group_members.iter_mut() {
            if let Some(at) = members.iter().position(|m| *m == id) {
                members.remove(at);
                left.push(group.clone());
                if served.contains(group) {
                    changed.push(("group_members", format!("{group}/{id}"), "removed"));
                }
            }
        }
        // Their groups' memberships changed, as Okta's `lastMembershipUpdated` says.
        for group in data
            .groups
            .iter_mut()
            .filter(|g| left.iter().any(|l| g["id"] == l.as_str()))
        {
            group["lastMembershipUpdated"] = json!(now());
        }
        for (app, assigned) in data.app_users.iter_mut() {
            if let Some(at) = assigned.iter().position(|a| a["id"] == id.as_str()) {
                assigned.remove(at);
                changed.push(("app_users", format!("{app}/{id}"), "removed"));
            }
        }
        self.log(
            (
                "user.lifecycle.delete.initiated",
                "core.user.config.user_deletion.initiated",
                "Delete Okta user",
            ),
            vec![user_target(&user)],
            changed,
        );
    }

    /// A member added to and one removed from a group, one of them a group holding admin
    /// roles when there is one.
    fn memberships(&mut self, data: &mut Dataset) {
        let admin_group = data
            .group_roles
            .keys()
            .find(|g| members_read(data, g))
            .cloned();
        let mut groups: Vec<String> = data
            .group_members
            .iter()
            .filter(|(g, members)| !members.is_empty() && members_read(data, g))
            .map(|(g, _)| g.clone())
            .collect();
        self.rng.shuffle(&mut groups);
        let add_to = admin_group.or_else(|| groups.first().cloned());
        if let Some(group) = add_to {
            let members: BTreeSet<String> = data.group_members[&group].iter().cloned().collect();
            let candidates = self.users_with(data, "ACTIVE");
            if let Some(&i) = candidates
                .iter()
                .find(|&&i| !members.contains(&id_of(&data.users[i])))
            {
                let user = data.users[i].clone();
                let list = data
                    .group_members
                    .get_mut(&group)
                    .expect("the group has members");
                list.push(id_of(&user));
                list.sort();
                self.membership_event(data, &group, &user, true);
            }
        }
        if let Some(group) = groups.get(1).cloned() {
            let list = &data.group_members[&group];
            let user_id = list[self.rng.usize(..list.len())].clone();
            let user = data
                .user(&user_id)
                .cloned()
                .unwrap_or(json!({ "id": user_id }));
            data.group_members
                .get_mut(&group)
                .expect("the group has members")
                .retain(|m| *m != user_id);
            self.membership_event(data, &group, &user, false);
        }
    }

    fn membership_event(&mut self, data: &mut Dataset, group: &str, user: &Value, added: bool) {
        let name = data
            .groups
            .iter()
            .find(|g| g["id"] == group)
            .map(|g| g["profile"]["name"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        if let Some(g) = data.groups.iter_mut().find(|g| g["id"] == group) {
            g["lastMembershipUpdated"] = json!(now());
        }
        let key = format!("{group}/{}", id_of(user));
        let targets = vec![user_target(user), object_target(group, "UserGroup", &name)];
        if added {
            self.log(
                (
                    "group.user_membership.add",
                    "core.user_group_member.user_add",
                    "Add user to group membership",
                ),
                targets,
                vec![("group_members", key, "added")],
            );
        } else {
            self.log(
                (
                    "group.user_membership.remove",
                    "core.user_group_member.user_remove",
                    "Remove user from group membership",
                ),
                targets,
                vec![("group_members", key, "removed")],
            );
        }
    }

    /// A role is revoked from a user who holds more than one, and a user is granted an admin
    /// role (becoming a role assignee if they were not).
    fn user_roles(&mut self, data: &mut Dataset) {
        let holder = data
            .user_roles
            .iter()
            .find(|(id, held)| held.len() > 1 && **id != self.actor.0)
            .map(|(id, _)| id.clone());
        if let Some(user_id) = holder {
            let held = data.user_roles.get_mut(&user_id).expect("the holder");
            let revoked = held.remove(held.len() - 1);
            let user = data
                .user(&user_id)
                .cloned()
                .unwrap_or(json!({ "id": user_id }));
            self.log(
                (
                    "user.account.privilege.revoke",
                    "core.user.admin_privilege.revoked",
                    "Revoke user privilege",
                ),
                vec![user_target(&user)],
                vec![
                    (
                        "user_roles",
                        format!("{user_id}/{}", id_of(&revoked)),
                        "removed",
                    ),
                    (
                        "user_role_targets",
                        format!("{user_id}/{}", id_of(&revoked)),
                        "removed",
                    ),
                ],
            );
        }
        let Some(template) = data.user_roles.values().flatten().next().cloned() else {
            return;
        };
        let candidates = self.users_with(data, "ACTIVE");
        let grant = candidates.iter().find_map(|&i| {
            let held = data.user_roles.get(&id_of(&data.users[i]));
            role_not_held(held.map(Vec::as_slice)).map(|role| (i, role))
        });
        if let Some((i, (kind, label))) = grant {
            let user = data.users[i].clone();
            let user_id = id_of(&user);
            let role_id = okta_id(&mut self.rng, "ra1");
            let mut role = template.clone();
            role["id"] = json!(role_id);
            role["type"] = json!(kind);
            role["label"] = json!(label);
            role["assignmentType"] = json!("USER");
            role["created"] = json!(now());
            role["lastUpdated"] = json!(now());
            // The same assignment, listed with its targets, is a record of user_role_targets.
            let key = format!("{user_id}/{role_id}");
            let mut changed = vec![
                ("user_roles", key.clone(), "added"),
                ("user_role_targets", key, "added"),
            ];
            if !data
                .role_assignees
                .iter()
                .any(|a| a["id"] == user_id.as_str())
            {
                let mut assignee = data.role_assignees.first().cloned().unwrap_or(json!({}));
                assignee["id"] = json!(user_id);
                assignee["orn"] = json!(format!("orn:okta:directory:org:users:{user_id}"));
                data.role_assignees.push(assignee);
                data.role_assignees
                    .sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                changed.push(("role_assignees", user_id.clone(), "added"));
            }
            data.user_roles.entry(user_id).or_default().push(role);
            self.log(
                (
                    "user.account.privilege.grant",
                    "core.user.admin_privilege.granted",
                    "Grant user privilege",
                ),
                vec![user_target(&user)],
                changed,
            );
        }
    }

    /// A group (one that already holds roles, so its roles are read) gets a role it lacks.
    fn group_role(&mut self, data: &mut Dataset) {
        let Some((group, template, (kind, label))) =
            data.group_roles.iter().find_map(|(g, held)| {
                let role = role_not_held(Some(held))?;
                held.first().map(|r| (g.clone(), r.clone(), role))
            })
        else {
            return;
        };
        let role_id = okta_id(&mut self.rng, "ra1");
        let mut role = template;
        role["id"] = json!(role_id);
        role["type"] = json!(kind);
        role["label"] = json!(label);
        role["created"] = json!(now());
        role["lastUpdated"] = json!(now());
        data.group_roles
            .get_mut(&group)
            .expect("the group")
            .push(role);
        self.log(
            (
                "group.privilege.grant",
                "core.user_group.admin_privilege.granted",
                "Grant group privilege",
            ),
            vec![object_target(&group, "UserGroup", "unknown")],
            vec![
                ("group_roles", format!("{group}/{role_id}"), "added"),
                ("group_role_targets", format!("{group}/{role_id}"), "added"),
            ],
        );
    }

    /// A factor enrolled by one active user, and one removed from another.
    fn factors(&mut self, data: &mut Dataset) {
        let Some(template) = data.factors.values().flatten().next().cloned() else {
            return;
        };
        let candidates = self.users_with(data, "ACTIVE");
        if let Some(&i) = candidates.first() {
            let user = data.users[i].clone();
            let user_id = id_of(&user);
            let factor_id = okta_id(&mut self.rng, "uft");
            let mut factor = template;
            factor["id"] = json!(factor_id);
            factor["factorType"] = json!("token:software:totp");
            factor["provider"] = json!("GOOGLE");
            factor["created"] = json!(now());
            factor["lastUpdated"] = json!(now());
            data.factors
                .entry(user_id.clone())
                .or_default()
                .push(factor);
            self.log(
                (
                    "user.mfa.factor.activate",
                    "core.user.factor.activate",
                    "Activate factor or authenticator",
                ),
                vec![user_target(&user)],
                vec![("user_factors", format!("{user_id}/{factor_id}"), "added")],
            );
        }
        // A user with one factor if there is one: losing the last factor is what a security
        // team looks for.
        let factors_of = |i: usize| data.factors[&id_of(&data.users[i])].len();
        let removal = candidates
            .iter()
            .skip(1)
            .find(|&&i| factors_of(i) == 1)
            .or_else(|| candidates.iter().skip(1).find(|&&i| factors_of(i) > 0));
        if let Some(&i) = removal {
            let user = data.users[i].clone();
            let user_id = id_of(&user);
            let removed = data.factors.get_mut(&user_id).expect("factors").remove(0);
            self.log(
                (
                    "user.mfa.factor.deactivate",
                    "core.user.factor.deactivate",
                    "Reset factor or authenticator",
                ),
                vec![user_target(&user)],
                vec![(
                    "user_factors",
                    format!("{user_id}/{}", id_of(&removed)),
                    "removed",
                )],
            );
        }
    }

    /// A sign-on rule stops asking for a second factor.
    fn loosen_policy_rule(&mut self, data: &mut Dataset) {
        let found = data.policy_rules.iter().find_map(|(policy, rules)| {
            rules
                .iter()
                .position(|r| r["actions"]["signon"]["requireFactor"] == true)
                .map(|at| (policy.clone(), at))
        });
        let Some((policy, at)) = found else {
            return;
        };
        let rule = &mut data.policy_rules.get_mut(&policy).expect("the policy")[at];
        rule["actions"]["signon"]["requireFactor"] = json!(false);
        rule["lastUpdated"] = json!(now());
        let id = id_of(rule);
        let name = rule["name"].as_str().unwrap_or_default().to_owned();
        self.log(
            (
                "policy.rule.update",
                "policy.rule.update",
                "Update policy rule",
            ),
            vec![
                object_target(&policy, "PolicyEntity", "unknown"),
                object_target(&id, "PolicyRule", &name),
            ],
            vec![("policy_rules", format!("{policy}/{id}"), "modified")],
        );
    }

    /// An OAuth app is granted a scope that manages users.
    fn app_grant(&mut self, data: &mut Dataset) {
        let Some((app, template)) = data
            .app_grants
            .iter()
            .find_map(|(a, grants)| grants.first().map(|g| (a.clone(), g.clone())))
        else {
            return;
        };
        let grant_id = okta_id(&mut self.rng, "oag");
        let mut grant = template;
        grant["id"] = json!(grant_id);
        grant["scopeId"] = json!("okta.users.manage");
        grant["created"] = json!(now());
        grant["lastUpdated"] = json!(now());
        data.app_grants.get_mut(&app).expect("the app").push(grant);
        self.log(
            (
                "app.oauth2.admin.consent.grant",
                "app.oauth2.admin.consent.grant",
                "Grant admin consent for an app",
            ),
            vec![object_target(&app, "AppInstance", "unknown")],
            vec![("app_grants", format!("{app}/{grant_id}"), "added")],
        );
    }

    /// A new app, and a user assigned to it.
    fn create_app_and_assign(&mut self, data: &mut Dataset) {
        let Some(template) = data
            .apps
            .iter()
            .find(|a| a["signOnMode"] == "SAML_2_0")
            .cloned()
        else {
            return;
        };
        let app_id = okta_id(&mut self.rng, "0oa");
        let label = format!("New SAML app {}", self.rng.u16(..));
        let mut app = template;
        app["id"] = json!(app_id);
        app["label"] = json!(label);
        app["created"] = json!(now());
        app["lastUpdated"] = json!(now());
        data.apps.push(app);
        data.apps
            .sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        data.app_groups.insert(app_id.clone(), Vec::new());
        data.app_users.insert(app_id.clone(), Vec::new());
        self.log(
            (
                "application.lifecycle.create",
                "app.generic.config.app_created",
                "Add application",
            ),
            vec![object_target(&app_id, "AppInstance", &label)],
            vec![("apps", app_id.clone(), "added")],
        );
        let Some(assignment) = data.app_users.values().flatten().next().cloned() else {
            return;
        };
        let Some(&i) = self.users_with(data, "ACTIVE").first() else {
            return;
        };
        let user = data.users[i].clone();
        let user_id = id_of(&user);
        let mut assigned = assignment;
        assigned["id"] = json!(user_id);
        assigned["created"] = json!(now());
        assigned["lastUpdated"] = json!(now());
        assigned["credentials"]["userName"] = user["profile"]["login"].clone();
        data.app_users
            .get_mut(&app_id)
            .expect("the app")
            .push(assigned);
        self.log(
            (
                "application.user_membership.add",
                "app.generic.provision.assign_user_to_app",
                "Add user to application membership",
            ),
            vec![
                user_target(&user),
                object_target(&app_id, "AppInstance", &label),
            ],
            vec![("app_users", format!("{app_id}/{user_id}"), "added")],
        );
    }

    /// An office network zone gains a gateway range.
    fn widen_zone(&mut self, data: &mut Dataset) {
        let Some(zone) = data
            .network_zones
            .iter_mut()
            .find(|z| z["system"] == false && z["gateways"].is_array())
        else {
            return;
        };
        let cidr = format!("203.0.{}.0/24", self.rng.u8(..));
        zone["gateways"]
            .as_array_mut()
            .expect("gateways")
            .push(json!({ "type": "CIDR", "value": cidr }));
        zone["lastUpdated"] = json!(now());
        let id = id_of(zone);
        let name = zone["name"].as_str().unwrap_or_default().to_owned();
        self.log(
            ("zone.update", "zone.update", "Update network zone"),
            vec![object_target(&id, "NetworkZone", &name)],
            vec![("network_zones", id, "modified")],
        );
    }

    /// Okta Support access switched on (or off again).
    fn okta_support(&mut self, data: &mut Dataset) {
        let Some(setting) = data.org_settings.get_mut("/privacy/oktaSupport") else {
            return;
        };
        let enable = setting["support"] != "ENABLED";
        setting["support"] = json!(if enable { "ENABLED" } else { "DISABLED" });
        setting["expiration"] = if enable {
            json!(timestamp(Utc::now() + chrono::Duration::hours(8)))
        } else {
            Value::Null
        };
        let event = if enable {
            (
                "user.session.impersonation.grant",
                "core.user.impersonation.grant.enabled",
                "Enable impersonation grant",
            )
        } else {
            (
                "user.session.impersonation.revoke",
                "core.user.impersonation.grant.revoked",
                "Revoke impersonation grant",
            )
        };
        let org_id = id_of(&data.org);
        self.log(
            event,
            vec![object_target(&org_id, "Org", "Okta Support access")],
            vec![("org_settings", "privacy/oktaSupport".into(), "modified")],
        );
    }

    fn rename_idp(&mut self, data: &mut Dataset) {
        let Some(idp) = data.idps.first_mut() else {
            return;
        };
        let name = format!("{} (renamed)", idp["name"].as_str().unwrap_or("IdP"));
        idp["name"] = json!(name);
        idp["lastUpdated"] = json!(now());
        let id = id_of(idp);
        self.log(
            (
                "system.idp.lifecycle.update",
                "system.idp.lifecycle.update",
                "Update an identity provider",
            ),
            vec![object_target(&id, "IdentityProvider", &name)],
            vec![("idps", id, "modified")],
        );
    }

    /// ThreatInsight moves between logging and blocking.
    fn threat_insight(&mut self, data: &mut Dataset) {
        let setting = &mut data.threat_insight;
        let action = if setting["action"] == "audit" {
            "block"
        } else {
            "audit"
        };
        setting["action"] = json!(action);
        setting["lastUpdated"] = json!(now());
        let org_id = id_of(&data.org);
        self.log(
            (
                "security.threat.configuration.update",
                "security.threat.configuration.update",
                "Update ThreatInsight configuration",
            ),
            vec![object_target(&org_id, "Org", "ThreatInsight")],
            vec![("threat_insight", String::new(), "modified")],
        );
    }

    /// A group rule created from an existing one.
    fn group_rule(&mut self, data: &mut Dataset) {
        let Some(template) = data.group_rules.first().cloned() else {
            return;
        };
        let id = okta_id(&mut self.rng, "0pr");
        let name = format!("Auto-assign {}", self.rng.u16(..));
        let mut rule = template;
        rule["id"] = json!(id);
        rule["name"] = json!(name);
        rule["status"] = json!("INACTIVE");
        rule["created"] = json!(now());
        rule["lastUpdated"] = json!(now());
        data.group_rules.push(rule);
        data.group_rules
            .sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        self.log(
            (
                "group.rule.create",
                "group.rule.create",
                "Create group rule",
            ),
            vec![object_target(&id, "GroupRule", &name)],
            vec![("group_rules", id, "added")],
        );
    }
}
