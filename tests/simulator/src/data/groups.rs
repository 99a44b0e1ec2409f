//! Groups (Everyone, departments, offices, imported app groups, teams), their members, and
//! the group rules that fill the department and office groups.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::words::{DEPARTMENTS, PLACES};
use crate::ids::{base62, between, days_before, okta_id, pick, timestamp};

/// The built-in group of every user.
pub(crate) const EVERYONE: &str = "Everyone";
/// The built-in group of the org's administrators, which `/groups/{id}/users` does not serve.
pub(crate) const OKTA_ADMINISTRATORS: &str = "Okta Administrators";

const TEAMS: &[&str] = &[
    "Project Phoenix",
    "Incident Responders",
    "Release Captains",
    "Mentors",
    "Interns 2026",
    "Security Champions",
    "Data Platform",
    "Design Council",
    "Sales EMEA",
    "Sales APAC",
    "Contractors",
    "Board Observers",
    "Beta Testers",
    "On-Call Primary",
    "Finance Approvers",
];
const IMPORTED: &[&str] = &[
    "VPN Users",
    "Workstation Admins",
    "File Share - Legal",
    "Printers - HQ",
    "Wi-Fi Corporate",
    "Domain Users",
    "Remote Desktop Users",
];

/// The groups, sorted by id, and each group's member ids, sorted.
pub(crate) struct Groups {
    pub groups: Vec<Value>,
    pub members: BTreeMap<String, Vec<String>>,
}

/// `count` groups (Everyone first, then one per department, then offices (one per place),
/// imported groups and teams in turn, and last the built-in "Okta Administrators"). Members
/// are drawn from users who are not DEPROVISIONED.
/// `import_app` is the app imported groups come from.
pub(crate) fn groups(
    rng: &mut fastrand::Rng,
    count: usize,
    users: &[Value],
    import_app: Option<&str>,
    org_url: &str,
    anchor: DateTime<Utc>,
) -> Groups {
    let eligible: Vec<&Value> = users
        .iter()
        .filter(|u| u["status"] != "DEPROVISIONED")
        .collect();
    // Indexes by profile attribute, so department and office groups cost one pass.
    let mut by_attribute: BTreeMap<(&str, &str), Vec<&Value>> = BTreeMap::new();
    for user in &eligible {
        for field in ["department", "city"] {
            let value = user["profile"][field].as_str().unwrap_or_default();
            by_attribute.entry((field, value)).or_default().push(user);
        }
    }
    let with = |field: &'static str, value: &str| -> Vec<&Value> {
        by_attribute
            .get(&(field, value))
            .cloned()
            .unwrap_or_default()
    };
    let org_created = anchor - Duration::days(1_600);

    let mut groups = Vec::with_capacity(count);
    let mut members = BTreeMap::new();
    for i in 0..count {
        let (kind, name, description, chosen): (&str, String, String, Vec<&Value>) = if i == 0 {
            (
                "BUILT_IN",
                EVERYONE.into(),
                "All users in your organization".into(),
                eligible.clone(),
            )
        } else if i == count - 1 {
            // Every real org has it; Okta lists it but does not serve its members.
            let size = rng.usize(1..=eligible.len().clamp(1, 8));
            (
                "BUILT_IN",
                OKTA_ADMINISTRATORS.into(),
                "Okta Administrators group".into(),
                sample(rng, &eligible, size),
            )
        } else if i <= DEPARTMENTS.len() {
            let (department, division, _) = DEPARTMENTS[i - 1];
            let description = format!("Everyone in {department} ({division})");
            (
                "OKTA_GROUP",
                department.into(),
                description,
                with("department", department),
            )
        } else {
            let n = i - DEPARTMENTS.len() - 1;
            match n % 4 {
                // One office group per place; big groups are few in real orgs.
                0 if n / 4 < PLACES.len() => {
                    let (city, ..) = PLACES[n / 4];
                    let name = format!("Office - {city}");
                    (
                        "OKTA_GROUP",
                        name,
                        format!("People based in {city}"),
                        with("city", city),
                    )
                }
                1 if import_app.is_some() => {
                    let name = IMPORTED[(n / 4) % IMPORTED.len()].to_owned();
                    let size = rng.usize(0..=eligible.len().min(120));
                    (
                        "APP_GROUP",
                        name,
                        "Imported from the corporate directory".into(),
                        sample(rng, &eligible, size),
                    )
                }
                _ => {
                    let name = match n / 4 {
                        0 => TEAMS[n % TEAMS.len()].to_owned(),
                        round => format!("{} {}", TEAMS[n % TEAMS.len()], round + 1),
                    };
                    // One team in ten is empty: fan-out must cope with groups without members.
                    let size = if rng.u8(..10) == 0 {
                        0
                    } else {
                        rng.usize(1..=eligible.len().clamp(1, 60))
                    };
                    let description = format!("{name} team");
                    (
                        "OKTA_GROUP",
                        name,
                        description,
                        sample(rng, &eligible, size),
                    )
                }
            }
        };
        let id = okta_id(rng, "00g");
        let created = if kind == "BUILT_IN" {
            org_created
        } else {
            between(rng, org_created, anchor - Duration::days(30))
        };
        let last_updated = between(rng, created, anchor);
        let last_membership = between(rng, last_updated, anchor);
        let mut profile = json!({ "name": name, "description": description });
        let mut object_class = json!(["okta:user_group"]);
        let mut source = Value::Null;
        if kind == "APP_GROUP" {
            let app = import_app.unwrap_or_default();
            object_class = json!(["okta:windows_security_principal"]);
            profile = json!({
                "name": name,
                "description": description,
                "groupType": "Security",
                "samAccountName": name.replace(' ', ""),
                "objectSid": format!("S-1-5-21-{}-{}", rng.u32(..), rng.u16(1000..)),
                "groupScope": "Global",
                "dn": format!("CN={name},OU=Groups,DC=corp,DC=acme,DC=example"),
                "windowsDomainQualifiedName": format!("CORP\\{}", name.replace(' ', "")),
                "externalId": base62(rng, 24),
            });
            source = json!({ "id": app });
        }
        let mut group = json!({
            "id": id,
            "created": timestamp(created),
            "lastUpdated": timestamp(last_updated),
            "lastMembershipUpdated": timestamp(last_membership),
            "objectClass": object_class,
            "type": kind,
            "profile": profile,
            "_links": {
                "logo": [
                    { "name": "medium", "href": "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.png", "type": "image/png" },
                    { "name": "large", "href": "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.png", "type": "image/png" },
                ],
                "users": { "href": format!("{org_url}/api/v1/groups/{id}/users") },
                "apps": { "href": format!("{org_url}/api/v1/groups/{id}/apps") },
            },
        });
        if !source.is_null() {
            group["source"] = source;
            group["_links"]["source"] = json!({ "href": format!("{org_url}/api/v1/apps/{}", import_app.unwrap_or_default()) });
        }
        let mut ids: Vec<String> = chosen
            .iter()
            .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        members.insert(id, ids);
        groups.push(group);
    }
    groups.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Groups { groups, members }
}

/// The last `count` groups with members (by id, not "Okta Administrators", which nobody
/// reads): those a scoped admin cannot read.
pub(crate) fn outside_admin_scope(
    groups: &[Value],
    members: &BTreeMap<String, Vec<String>>,
    count: usize,
) -> std::collections::BTreeSet<String> {
    groups
        .iter()
        .rev()
        .filter(|g| g["profile"]["name"] != OKTA_ADMINISTRATORS)
        .filter_map(|g| g["id"].as_str())
        .filter(|id| members.get(*id).is_some_and(|m| !m.is_empty()))
        .take(count)
        .map(str::to_owned)
        .collect()
}

/// Rules that assign users to the department and office groups by profile attribute.
pub(crate) fn rules(
    rng: &mut fastrand::Rng,
    count: usize,
    groups: &[Value],
    users: &[Value],
    anchor: DateTime<Utc>,
) -> Vec<Value> {
    let targets: Vec<(&Value, String)> = groups
        .iter()
        .filter(|g| g["type"] == "OKTA_GROUP")
        .filter_map(|g| {
            let name = g["profile"]["name"].as_str()?;
            if let Some(city) = name.strip_prefix("Office - ") {
                Some((g, format!("user.city==\"{city}\"")))
            } else if DEPARTMENTS.iter().any(|(d, ..)| *d == name) {
                Some((g, format!("user.department==\"{name}\"")))
            } else {
                None
            }
        })
        .collect();
    let mut rules: Vec<Value> = targets
        .iter()
        .take(count)
        .enumerate()
        .map(|(i, (group, expression))| {
            let created = days_before(rng, anchor - Duration::days(10), 900);
            let excluded: Vec<&str> = if rng.u8(..4) == 0 {
                vec![pick(rng, users)["id"].as_str().unwrap_or_default()]
            } else {
                Vec::new()
            };
            json!({
                "type": "group_rule",
                "id": okta_id(rng, "0pr"),
                // Every seventh rule was switched off.
                "status": if i % 7 == 6 { "INACTIVE" } else { "ACTIVE" },
                "name": format!("Assign {}", group["profile"]["name"].as_str().unwrap_or_default()),
                "created": timestamp(created),
                "lastUpdated": timestamp(between(rng, created, anchor)),
                "conditions": {
                    "people": { "users": { "exclude": excluded }, "groups": { "exclude": [] } },
                    "expression": { "value": expression, "type": "urn:okta:expression:1.0" },
                },
                "actions": { "assignUserToGroups": { "groupIds": [group["id"]] } },
            })
        })
        .collect();
    rules.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    rules
}

/// `size` distinct items (all of them if fewer), in random order. Draws indexes rather than
/// shuffling, since groups sample a few users out of many thousands.
pub(crate) fn sample<'a>(
    rng: &mut fastrand::Rng,
    from: &[&'a Value],
    size: usize,
) -> Vec<&'a Value> {
    if size * 2 >= from.len() {
        let mut all = from.to_vec();
        rng.shuffle(&mut all);
        all.truncate(size);
        return all;
    }
    let mut seen = std::collections::HashSet::with_capacity(size);
    let mut picked = Vec::with_capacity(size);
    while picked.len() < size {
        let at = rng.usize(..from.len());
        if seen.insert(at) {
            picked.push(from[at]);
        }
    }
    picked
}
