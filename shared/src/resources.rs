//! The table of resources: what to read from Okta, and the groups (one Lambda each) that bundle them.
//!
//! A resource is data: its output name, endpoint, OAuth scope, largest page size, where the
//! records sit in the body, and, for child resources, which parent's ids it fans out over.
//! Adding a resource is adding an entry here (and to the simulator).

use crate::okta::Shape;

/// One kind of Okta object, landed under its own name.
#[derive(Debug)]
pub struct Resource {
    /// Output name: the first segment of its keys (`users`, `user_factors`, …).
    pub name: &'static str,
    /// The OAuth scope Okta checks for its endpoint.
    pub scope: &'static str,
    /// Endpoint path; `{id}` stands for the parent's id in child resources.
    pub path: &'static str,
    /// The endpoint's largest page size, sent as `limit` on the first request.
    pub limit: Option<u32>,
    pub shape: Shape,
    /// One listing per entry, each adding this query to the first URL (`""` adds nothing).
    /// Okta splits some collections: users by status, policies by type.
    pub listings: &'static [&'static str],
    pub parent: Option<Parent>,
}

/// How a child resource hangs off its parent.
#[derive(Debug)]
pub struct Parent {
    /// The parent resource's name.
    pub resource: &'static str,
    /// The field added to each child record with the parent's id (`userId`, `groupId`, …).
    pub field: &'static str,
}

/// The resources one function reads together, under one schedule.
#[derive(Debug)]
pub struct Group {
    /// `users` → function `okta-users`, CLI `--resources users`.
    pub name: &'static str,
    pub kind: Kind,
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

impl Group {
    pub fn function_name(&self) -> String {
        format!("okta-{}", self.name)
    }

    /// Every scope the group's resources need (asked for together in one token).
    pub fn scopes(&self) -> Vec<&'static str> {
        let mut scopes: Vec<_> = self.resources.iter().map(|r| r.scope).collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    pub fn resource(&self, name: &str) -> Option<&'static Resource> {
        self.resources.iter().find(|r| r.name == name)
    }
}

const PLAIN: &[&str] = &[""];

pub const USERS: Group = Group {
    name: "users",
    kind: Kind::Snapshot,
    resources: &[
        Resource {
            name: "users",
            scope: "okta.users.read",
            path: "/api/v1/users",
            limit: Some(200),
            shape: Shape::Array,
            // The plain list omits DEPROVISIONED users; a search is the only way to get them.
            listings: &["", "search=status%20eq%20%22DEPROVISIONED%22"],
            parent: None,
        },
        Resource {
            name: "user_factors",
            scope: "okta.users.read",
            path: "/api/v1/users/{id}/factors",
            limit: None,
            shape: Shape::Array,
            listings: PLAIN,
            parent: Some(Parent {
                resource: "users",
                field: "userId",
            }),
        },
    ],
};

pub const LOGS: Group = Group {
    name: "logs",
    kind: Kind::EventLog,
    resources: &[Resource {
        name: "system_log",
        scope: "okta.logs.read",
        path: "/api/v1/logs",
        limit: Some(1000),
        shape: Shape::Array,
        listings: PLAIN,
        parent: None,
    }],
};

/// Every group, in the order `--resources all` runs them.
pub const GROUPS: &[&Group] = &[&USERS, &LOGS];

/// Finds a group by name (`users`) or function name (`okta-users`).
pub fn group(name: &str) -> Option<&'static Group> {
    let name = name.strip_prefix("okta-").unwrap_or(name);
    GROUPS.iter().copied().find(|g| g.name == name)
}

/// Resolves a `--resources` list: group names, resource names, or `all`. A group name wins
/// where the two coincide (`users` is both). Returns the groups to run, each with the resource
/// names selected in it, in table order.
pub fn select(list: &str) -> Result<Vec<(&'static Group, Vec<&'static str>)>, String> {
    let mut picked: Vec<(&'static Group, Vec<&'static str>)> = Vec::new();
    let mut add = |group: &'static Group, names: Vec<&'static str>| match picked
        .iter_mut()
        .find(|(g, _)| g.name == group.name)
    {
        Some((_, have)) => have.extend(names),
        None => picked.push((group, names)),
    };
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if word == "all" {
            for g in GROUPS {
                add(g, g.resources.iter().map(|r| r.name).collect());
            }
        } else if let Some(g) = group(word) {
            add(g, g.resources.iter().map(|r| r.name).collect());
        } else if let Some((g, r)) = GROUPS
            .iter()
            .find_map(|g| g.resource(word).map(|r| (*g, r)))
        {
            add(g, vec![r.name]);
        } else {
            let known: Vec<&str> = GROUPS
                .iter()
                .flat_map(|g| std::iter::once(g.name).chain(g.resources.iter().map(|r| r.name)))
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
    Ok(GROUPS
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
    fn every_child_names_an_earlier_resource_of_its_group() {
        for g in GROUPS {
            for (i, r) in g.resources.iter().enumerate() {
                if let Some(p) = &r.parent {
                    assert!(
                        g.resources[..i].iter().any(|e| e.name == p.resource),
                        "{}: parent {} must come first",
                        r.name,
                        p.resource
                    );
                    assert!(r.path.contains("{id}"), "{}", r.name);
                }
            }
        }
    }

    #[test]
    fn selection_by_group_resource_or_all() {
        let s = select("users").unwrap();
        assert_eq!(s[0].1, vec!["users", "user_factors"]);
        let s = select("user_factors").unwrap();
        assert_eq!(s[0].1, vec!["user_factors"]);
        let s = select("all").unwrap();
        assert_eq!(s.len(), GROUPS.len());
        assert!(select("nope").unwrap_err().contains("user_factors"));
        assert_eq!(group("okta-users").unwrap().name, "users");
        assert_eq!(USERS.scopes(), vec!["okta.users.read"]);
    }
}
