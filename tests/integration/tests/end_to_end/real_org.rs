//! What real orgs do that a tidy simulator would not: objects Okta lists but will not serve,
//! a scoped admin refused on part of the org, member pages that time out, a user who changes
//! status mid-run, a 200 cut short, a `next` link that loops. Each costs at most the objects
//! concerned, named in the manifest; never the rest of the snapshot.

use std::collections::BTreeSet;

use okta_ingest::manifest::{Manifest, Status};
use okta_ingest::resources::{self, GROUPS, USERS};
use okta_ingest_tests::{TestOrg, invoke};
use okta_sim::{Dataset, SimConfig};
use serde_json::{Value, json};

/// The newest manifest of `resource`.
async fn manifest(org: &TestOrg, resource: &str) -> Manifest {
    let mut all = org.aws.manifests(resource, "acme").await;
    all.pop()
        .unwrap_or_else(|| panic!("no manifest for {resource}"))
}

/// A run of the `users` resource alone (no factors).
async fn users_only(org: &TestOrg) -> okta_ingest::summary::RunSummary {
    invoke(
        &org.rt,
        &USERS,
        json!({"tenant": "acme", "resources": "users"}),
    )
    .await
}

/// The groups whose members a run must read: those with members that Okta serves.
fn served_groups(data: &Dataset) -> BTreeSet<String> {
    data.group_members
        .iter()
        .filter(|(g, m)| !m.is_empty() && data.serves_members(g))
        .filter(|(g, _)| !data.groups_outside_admin_scope.contains(*g))
        .map(|(g, _)| g.clone())
        .collect()
}

/// (group id, member id) of every member line.
fn memberships(lines: &[Value]) -> BTreeSet<(String, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["groupId"].as_str().unwrap().to_owned(),
                l["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn want_memberships(data: &Dataset, groups: &BTreeSet<String>) -> BTreeSet<(String, String)> {
    groups
        .iter()
        .flat_map(|g| {
            data.group_members[g]
                .iter()
                .map(move |u| (g.clone(), u.clone()))
        })
        .collect()
}

#[tokio::test]
async fn groups_a_scoped_admin_may_not_read_are_excluded_and_the_rest_is_complete() {
    let org = TestOrg::start(
        SimConfig::small()
            .with_users(200)
            .with_groups(40)
            .with_groups_outside_admin_scope(3),
    )
    .await;
    let summary = org.run(&GROUPS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let data = &org.sim.dataset();
    let members = manifest(&org, "group_members").await;
    assert_eq!(members.status, Status::Complete, "{members:?}");

    // The three groups outside the role, and the built-in admins group, each named with
    // Okta's own words; nothing else.
    let mut refused: BTreeSet<String> = data.groups_outside_admin_scope.clone();
    refused.extend(
        data.group_members
            .keys()
            .filter(|g| !data.serves_members(g))
            .cloned(),
    );
    assert_eq!(refused.len(), 4);
    let excluded: BTreeSet<String> = members.excluded.iter().map(|e| e.id.clone()).collect();
    assert_eq!(excluded, refused);
    for e in &members.excluded {
        assert_eq!(e.status, Some(403), "{e:?}");
        assert_eq!(e.error_code.as_deref(), Some("E0000006"), "{e:?}");
        assert!(
            e.error_id
                .as_deref()
                .is_some_and(|id| id.starts_with("oae")),
            "{e:?}"
        );
        assert!(e.reason.contains("lacks permission"), "{e:?}");
    }
    assert!(members.unread.is_empty());
    // Every other group's members, each once.
    let lines = org.aws.lines(&members).await;
    assert_eq!(lines.len() as u64, members.records);
    assert_eq!(
        memberships(&lines),
        want_memberships(data, &served_groups(data))
    );
    assert_eq!(memberships(&lines).len(), lines.len(), "no member twice");
}

#[tokio::test]
async fn a_role_that_may_read_no_group_is_skipped_not_complete() {
    // Every group with members outside the role (Everyone included): nothing can be read,
    // which is the role's limit, not an empty org.
    let org = TestOrg::start(
        SimConfig::small()
            .with_users(60)
            .with_groups(6)
            .with_groups_outside_admin_scope(100),
    )
    .await;
    org.run(&GROUPS).await;
    let members = manifest(&org, "group_members").await;
    assert_eq!(members.status, Status::Skipped, "{members:?}");
    assert!(
        members
            .reason
            .as_deref()
            .unwrap()
            .contains("lacks permission")
    );
    assert!(!members.excluded.is_empty());
}

#[tokio::test]
async fn a_parent_failing_for_a_moment_is_read_on_the_second_try() {
    let org = TestOrg::start(SimConfig::small().with_users(200).with_groups(30)).await;
    let data = &org.sim.dataset();
    let groups = served_groups(data);
    let victim = groups.iter().nth(2).unwrap();
    // The test policy makes 3 attempts: the first try fails, the second succeeds.
    let path = format!("/api/v1/groups/{victim}/users");
    org.sim.faults().fail_next(&path, 503, 3);
    let summary = org.run(&GROUPS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let members = manifest(&org, "group_members").await;
    assert!(
        members.unread.is_empty() && members.excluded.len() == 1,
        "{members:?}"
    );
    let lines = org.aws.lines(&members).await;
    assert_eq!(memberships(&lines), want_memberships(data, &groups));
}

#[tokio::test]
async fn a_parent_that_keeps_failing_is_listed_as_unread_and_only_it_is_missing() {
    let org = TestOrg::start(SimConfig::small().with_users(200).with_groups(30)).await;
    let data = &org.sim.dataset();
    let mut groups = served_groups(data);
    let victim = groups.iter().nth(3).unwrap().clone();
    let path = format!("/api/v1/groups/{victim}/users");
    org.sim.faults().error_rate(&format!("{path}$"), 1.0, 500);
    let summary = org.run(&GROUPS).await;
    let members = manifest(&org, "group_members").await;
    assert_eq!(members.status, Status::Partial, "{members:?}");
    assert_eq!(summary.status, Status::Partial);
    // The one group, with Okta's status, and why.
    assert_eq!(members.unread.len(), 1, "{members:?}");
    let unread = &members.unread[0];
    assert_eq!(unread.id, victim);
    assert_eq!(unread.status, Some(500));
    assert!(unread.reason.contains("HTTP 500"), "{unread:?}");
    let reason = members.reason.as_deref().unwrap();
    assert!(reason.contains("1 parent(s) could not be read"), "{reason}");
    // Two tries, each of three attempts at every page size (200, 100, 50, 25) instead of its
    // one page; one refused call for the admins group; every other group read whole.
    let pages: usize = groups
        .iter()
        .map(|g| data.group_members[g].len().div_ceil(200))
        .sum();
    assert_eq!(
        org.sim.stats().path("/api/v1/groups/{id}/users") as usize,
        pages - 1 + 2 * 4 * 3 + 1
    );
    groups.remove(&victim);
    let lines = org.aws.lines(&members).await;
    assert_eq!(memberships(&lines), want_memberships(data, &groups));
}

#[tokio::test]
async fn member_pages_that_time_out_are_asked_for_with_a_smaller_limit() {
    // Pages of more than 60 members of a group bigger than that time out at Okta, whatever
    // the retries: 200 → 100 → 50 succeeds.
    let org = TestOrg::start(
        SimConfig::small()
            .with_users(400)
            .with_groups(20)
            .with_member_page_timeout_above(60),
    )
    .await;
    let data = &org.sim.dataset();
    let groups = served_groups(data);
    let big = groups
        .iter()
        .filter(|g| data.group_members[*g].len() > 60)
        .count();
    assert!(big >= 2, "the org has big groups");
    let summary = org.run(&GROUPS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let members = manifest(&org, "group_members").await;
    let lines = org.aws.lines(&members).await;
    assert_eq!(memberships(&lines), want_memberships(data, &groups));
    assert_eq!(memberships(&lines).len(), lines.len(), "no member twice");
    // Each big group costs its timeouts (3 attempts at 200, 3 at 100) and then pages of 50.
    let stats = org.sim.stats();
    assert_eq!(stats.server_errors as usize, big * 6);
}

#[tokio::test]
async fn deprovisioned_users_factors_are_not_asked_for() {
    let org = TestOrg::start(SimConfig::small().with_users(320)).await;
    let summary = org.run(&USERS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let data = &org.sim.dataset();
    let living = data
        .users
        .iter()
        .filter(|u| u["status"] != "DEPROVISIONED")
        .count();
    assert!(living < data.users.len(), "the org has DEPROVISIONED users");
    assert_eq!(
        org.sim.stats().path("/api/v1/users/{id}/factors") as usize,
        living
    );
    let factors = manifest(&org, "user_factors").await;
    assert!(
        factors.excluded.is_empty() && factors.notes.is_empty(),
        "{factors:?}"
    );
}

#[tokio::test]
async fn a_user_deactivated_between_the_two_user_listings_is_written_once() {
    let org = TestOrg::start(SimConfig::small().with_users(300)).await;
    let data = &org.sim.dataset();
    let moving: Vec<&str> = data
        .users
        .iter()
        .filter(|u| u["status"] == "ACTIVE")
        .take(3)
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    org.sim.faults().deprovision_midway(&moving);
    let summary = users_only(&org).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let users = manifest(&org, "users").await;
    let lines = org.aws.lines(&users).await;
    let ids: Vec<&str> = lines.iter().map(|u| u["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "each user once");
    assert_eq!(ids.len(), data.users.len());
    assert!(
        users
            .notes
            .iter()
            .any(|n| n.starts_with("3 users listed twice")),
        "{:?}",
        users.notes
    );
}

#[tokio::test]
async fn a_page_cut_short_is_fetched_again() {
    let org = TestOrg::start(SimConfig::small().with_users(450)).await;
    org.sim.faults().truncate_next("/api/v1/users$", 2);
    let summary = users_only(&org).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let users = manifest(&org, "users").await;
    assert_eq!(users.records as usize, org.sim.dataset().users.len());
}

#[tokio::test]
async fn a_next_link_back_to_a_page_already_read_stops_the_listing() {
    let org = TestOrg::start(SimConfig::small().with_users(450)).await;
    org.sim.faults().looping_next_link("/api/v1/users$");
    let summary = users_only(&org).await;
    let users = &summary.tenants[0].resources[0];
    assert_eq!(users.status, Status::Partial, "{users:?}");
    assert!(
        users
            .reason
            .as_deref()
            .unwrap()
            .contains("leads back to a page already read"),
        "{users:?}"
    );
    // The first page, once; no loop.
    assert_eq!(org.sim.stats().path("/api/v1/users"), 1);
}

#[test]
fn group_members_ask_for_okta_s_recommended_page_size() {
    let members = resources::find("group_members").unwrap();
    assert_eq!(members.limit, Some(200));
}

/// The connection check's row for `resource`.
async fn probe(org: &TestOrg, resource: &str) -> okta_ingest::check::Probe {
    let id = okta_ingest::tenant::TenantId::parse("acme").unwrap();
    let statuses =
        okta_ingest::check::tenants(&org.rt, &okta_ingest::invocation::Target::Tenant(id))
            .await
            .unwrap();
    statuses[0]
        .resources
        .iter()
        .find(|p| p.resource == resource)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_check_passes_over_a_refused_parent_and_names_it() {
    // Everyone and the built-in admins group, listed first (ids are random: find a seed that
    // orders them so): the check must not call the tenant inactive because of that group,
    // which Okta never serves.
    let mut seed = 0;
    let org = loop {
        seed += 1;
        let config = SimConfig::small().with_users(40).with_groups(2);
        let org = TestOrg::start(config.with_seed(seed)).await;
        let data = &org.sim.dataset();
        if !data.serves_members(data.groups[0]["id"].as_str().unwrap()) {
            break org;
        }
    };
    let members = probe(&org, "group_members").await;
    assert_eq!(members.status, "ok", "{members:?}");
    assert_eq!(members.excluded.len(), 1, "{members:?}");
    assert_eq!(members.excluded[0].status, Some(403));

    // With Everyone outside the role too, every parent is refused: that is the answer.
    let org = TestOrg::start(
        SimConfig::small()
            .with_users(40)
            .with_groups(2)
            .with_groups_outside_admin_scope(1),
    )
    .await;
    let members = probe(&org, "group_members").await;
    assert_eq!(members.status, "permission_denied", "{members:?}");
    assert_eq!(members.excluded.len(), 2, "{members:?}");
}
