//! Every resource group through its Lambda handler: complete against the simulator's data,
//! children carrying their parent's id, the fewest requests, and skipped-with-reason where a
//! scope, a permission or the engine is missing.

use std::collections::BTreeMap;

use okta_ingest::manifest::Status;
use okta_ingest::resources;
use okta_ingest::summary::RunSummary;
use okta_ingest_tests::{TestOrg, served};
use okta_sim::{Engine, OAuthClient, SimConfig};
use serde_json::{Value, json};

/// The lines of a resource's newest run, which must be complete.
async fn lines(org: &TestOrg, resource: &str) -> Vec<Value> {
    let manifests = org.aws.manifests(resource, "acme").await;
    let newest = manifests
        .last()
        .unwrap_or_else(|| panic!("no manifest for {resource}"));
    assert_eq!(newest.status, Status::Complete, "{newest:?}");
    org.aws.lines(newest).await
}

/// The same objects, in any order, each exactly once.
fn assert_same(mut got: Vec<Value>, mut want: Vec<Value>, what: &str) {
    let key = |v: &Value| v.to_string();
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got.len(), want.len(), "{what}: count");
    assert!(got == want, "{what}: objects differ");
}

/// Child lines grouped by their parent field, with the field removed again.
fn by_parent(lines: Vec<Value>, field: &str) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for mut line in lines {
        let parent = line
            .as_object_mut()
            .unwrap()
            .remove(field)
            .unwrap_or_else(|| panic!("a child line without {field}"));
        out.entry(parent.as_str().unwrap().to_owned())
            .or_default()
            .push(line);
    }
    out
}

fn assert_children(
    got: BTreeMap<String, Vec<Value>>,
    want: &BTreeMap<String, Vec<Value>>,
    what: &str,
) {
    let want: BTreeMap<&String, &Vec<Value>> = want.iter().filter(|(_, v)| !v.is_empty()).collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().copied().collect::<Vec<_>>(),
        "{what}: parents"
    );
    for (parent, lines) in got {
        assert_same(lines, want[&parent].clone(), &format!("{what} of {parent}"));
    }
}

fn assert_complete(summary: &RunSummary) {
    for r in &summary.tenants[0].resources {
        assert_eq!(r.status, Status::Complete, "{r:?}");
    }
}

fn requests(summary: &RunSummary, resource: &str) -> u64 {
    summary.tenants[0]
        .resources
        .iter()
        .find(|r| r.resource == resource)
        .unwrap()
        .requests
        .requests
}

fn pages(n: usize, limit: usize) -> u64 {
    n.div_ceil(limit).max(1) as u64
}

#[tokio::test]
async fn groups_members_and_rules() {
    let org = TestOrg::start(SimConfig::small().with_users(300).with_groups(250)).await;
    let summary = org.run(&resources::GROUPS).await;
    assert_complete(&summary);
    let data = &org.sim.dataset();
    let with_stats: Vec<Value> = data
        .groups
        .iter()
        .map(|g| data.group_with_stats(g))
        .collect();
    assert_same(lines(&org, "groups").await, with_stats, "groups");
    let members = by_parent(lines(&org, "group_members").await, "groupId");
    // Okta lists the built-in "Okta Administrators" group but does not serve its members: it
    // is excluded, by name, and the rest is complete.
    let refused: Vec<&String> = data
        .group_members
        .keys()
        .filter(|g| !data.serves_members(g))
        .collect();
    assert_eq!(refused.len(), 1, "the org has its built-in admins group");
    let manifest = org.aws.manifests("group_members", "acme").await.remove(0);
    let excluded: Vec<&String> = manifest.excluded.iter().map(|e| &e.id).collect();
    assert_eq!(excluded, refused);
    assert_eq!(manifest.excluded[0].status, Some(403));
    assert_eq!(manifest.excluded[0].error_code.as_deref(), Some("E0000006"));
    let want: BTreeMap<String, Vec<Value>> = data
        .group_members
        .iter()
        .filter(|(g, _)| data.serves_members(g))
        .map(|(g, ids)| {
            (
                g.clone(),
                ids.iter()
                    .map(|id| data.user(id).unwrap().clone())
                    .collect(),
            )
        })
        .collect();
    assert_children(members, &want, "group_members");
    assert_same(
        lines(&org, "group_rules").await,
        data.group_rules.clone(),
        "group_rules",
    );
    // Empty groups (usersCount 0 from expand=stats) cost no request; the refused one costs one.
    let nonempty = want.values().filter(|m| !m.is_empty());
    let member_pages: u64 = nonempty.map(|m| pages(m.len(), 200)).sum::<u64>() + 1;
    assert_eq!(requests(&summary, "groups"), pages(data.groups.len(), 200));
    assert_eq!(requests(&summary, "group_members"), member_pages);
    assert!(
        data.group_members.values().any(Vec::is_empty),
        "the org has empty groups to skip"
    );
}

#[tokio::test]
async fn apps_assignments_and_grants() {
    let org = TestOrg::start(SimConfig::small().with_apps(30)).await;
    let summary = org.run(&resources::APPS).await;
    assert_complete(&summary);
    let data = &org.sim.dataset();
    assert_same(lines(&org, "apps").await, data.apps.clone(), "apps");
    assert_children(
        by_parent(lines(&org, "app_users").await, "appId"),
        &data.app_users,
        "app_users",
    );
    assert_children(
        by_parent(lines(&org, "app_groups").await, "appId"),
        &data.app_groups,
        "app_groups",
    );
    assert_children(
        by_parent(lines(&org, "app_grants").await, "appId"),
        &data.app_grants,
        "app_grants",
    );
    // Grants are asked for OAuth clients only.
    let oidc = data
        .apps
        .iter()
        .filter(|a| a["signOnMode"] == "OPENID_CONNECT")
        .count();
    assert_eq!(requests(&summary, "app_grants"), oidc as u64);
    assert!(oidc < data.apps.len());
}

#[tokio::test]
async fn admin_roles_custom_roles_and_resource_sets() {
    let org = TestOrg::start(SimConfig::small()).await;
    let summary = org.run(&resources::ROLES).await;
    assert_complete(&summary);
    let data = &org.sim.dataset();
    assert_same(
        lines(&org, "role_assignees").await,
        data.role_assignees.clone(),
        "role_assignees",
    );
    assert_children(
        by_parent(lines(&org, "user_roles").await, "userId"),
        &data.user_roles,
        "user_roles",
    );
    assert_children(
        by_parent(lines(&org, "group_roles").await, "groupId"),
        &data.group_roles,
        "group_roles",
    );
    assert_same(
        lines(&org, "custom_roles").await,
        data.custom_roles.clone(),
        "custom_roles",
    );
    assert_children(
        by_parent(lines(&org, "custom_role_permissions").await, "roleId"),
        &data.custom_role_permissions,
        "custom_role_permissions",
    );
    assert_same(
        lines(&org, "resource_sets").await,
        data.resource_sets.clone(),
        "resource_sets",
    );
    // Roles are fetched only for the users Okta lists as assignees, not for every user.
    assert_eq!(
        requests(&summary, "user_roles"),
        data.role_assignees.len() as u64
    );
    // The groups read for their ids are not written by this function.
    assert!(org.aws.manifests("groups", "acme").await.is_empty());
}

#[tokio::test]
async fn every_policy_type_and_its_rules() {
    let org = TestOrg::start(SimConfig::small()).await;
    let summary = org.run(&resources::POLICIES).await;
    assert_complete(&summary);
    let data = &org.sim.dataset();
    assert_same(
        lines(&org, "policies").await,
        data.policies.clone(),
        "policies",
    );
    assert_children(
        by_parent(lines(&org, "policy_rules").await, "policyId"),
        &data.policy_rules,
        "policy_rules",
    );
}

#[tokio::test]
async fn org_settings_contacts_domains_devices_and_security() {
    let org = TestOrg::start(SimConfig::small()).await;
    for group in [&resources::ORG, &resources::DEVICES, &resources::SECURITY] {
        assert_complete(&org.run(group).await);
    }
    let data = &org.sim.dataset();
    assert_same(lines(&org, "org").await, vec![data.org.clone()], "org");
    let settings = by_parent(lines(&org, "org_settings").await, "setting");
    let want: BTreeMap<String, Vec<Value>> = data
        .org_settings
        .iter()
        .map(|(path, v)| (path.trim_start_matches('/').to_owned(), vec![v.clone()]))
        .collect();
    assert_children(settings, &want, "org_settings");
    assert_same(
        lines(&org, "org_contacts").await,
        data.org_contacts.clone(),
        "org_contacts",
    );
    assert_same(
        lines(&org, "domains").await,
        data.domains.clone(),
        "domains",
    );
    let devices: Vec<Value> = data
        .devices
        .iter()
        .map(|d| data.device_with_users(d))
        .collect();
    assert_same(lines(&org, "devices").await, devices, "devices");
    // As Okta sent them, but for the client secret, which is never written.
    let idps: Vec<Value> = data
        .idps
        .iter()
        .cloned()
        .map(|mut idp| {
            if let Some(client) = idp.pointer_mut("/protocol/credentials/client")
                && let Some(client) = client.as_object_mut()
            {
                client.remove("client_secret");
            }
            idp
        })
        .collect();
    assert_same(lines(&org, "idps").await, idps, "idps");
    assert_same(
        lines(&org, "network_zones").await,
        data.network_zones.clone(),
        "network_zones",
    );
    assert_same(
        lines(&org, "threat_insight").await,
        vec![data.threat_insight.clone()],
        "threat_insight",
    );
    assert_same(
        lines(&org, "behaviors").await,
        data.behaviors.clone(),
        "behaviors",
    );
}

#[tokio::test]
async fn a_missing_scope_skips_that_resource_only_and_names_the_scope() {
    let scopes: Vec<&str> = okta_sim::READ_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "okta.appGrants.read")
        .collect();
    let org = TestOrg::with_auth(
        SimConfig::small()
            .with_client(OAuthClient::secret("0oa-app", "app-secret-value").with_scopes(&scopes)),
        json!({"type": "oauth2", "client_id": "0oa-app", "client_secret": "app-secret-value"}),
    )
    .await;
    let summary = org.run(&resources::APPS).await;
    for r in &summary.tenants[0].resources {
        if r.resource == "app_grants" {
            assert_eq!(r.status, Status::Skipped, "{r:?}");
            assert!(
                r.reason.as_deref().unwrap().contains("okta.appGrants.read"),
                "{r:?}"
            );
        } else {
            assert_eq!(r.status, Status::Complete, "{r:?}");
        }
    }
    assert_eq!(
        summary.tenants[0].status,
        Status::Complete,
        "a skip is not a failure"
    );
}

#[tokio::test]
async fn an_admin_without_permission_is_skipped_with_e0000006() {
    let org =
        TestOrg::start(SimConfig::small().with_api_token_denied_scopes(&["okta.roles.read"])).await;
    let summary = org.run(&resources::ROLES).await;
    for r in &summary.tenants[0].resources {
        assert_eq!(r.status, Status::Skipped, "{r:?}");
        assert!(
            r.reason.as_deref().unwrap().contains("lacks permission"),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn a_classic_org_skips_what_only_identity_engine_has() {
    let org = TestOrg::start(SimConfig::small().with_engine(Engine::Classic)).await;
    let devices = org.run(&resources::DEVICES).await;
    let r = &devices.tenants[0].resources[0];
    assert_eq!(r.status, Status::Skipped, "{r:?}");
    assert!(
        r.reason.as_deref().unwrap().contains("not available"),
        "{r:?}"
    );
    let policies = org.run(&resources::POLICIES).await;
    assert_complete(&policies);
    let manifest = org.aws.manifests("policies", "acme").await.pop().unwrap();
    assert!(
        manifest
            .notes
            .iter()
            .any(|n| n.contains("type=ACCESS_POLICY")),
        "{:?}",
        manifest.notes
    );
    assert_same(
        lines(&org, "policies").await,
        org.sim.dataset().policies.clone(),
        "classic policies",
    );
}

#[tokio::test]
async fn exhausted_retries_in_a_fan_out_leave_that_resource_partial() {
    let org = TestOrg::start(SimConfig::small().with_groups(60)).await;
    // Every member listing after the first few fails.
    let breakdown = async {
        served(&org.sim, "/api/v1/groups/{id}/users", 5).await;
        org.sim.faults().error_rate("/api/v1/groups/", 1.0, 503);
    };
    let (summary, ()) = tokio::join!(org.run(&resources::GROUPS), breakdown);
    let status = |name: &str| {
        summary.tenants[0]
            .resources
            .iter()
            .find(|r| r.resource == name)
            .unwrap()
            .status
    };
    assert_eq!(status("groups"), Status::Complete);
    assert_eq!(status("group_members"), Status::Partial);
}
