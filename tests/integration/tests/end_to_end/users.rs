//! The users group end to end: the Lambda handler against the simulator and moto.

use std::collections::BTreeSet;

use okta_ingest::manifest::Status;
use okta_ingest::resources::USERS;
use okta_ingest_tests::{TestOrg, invoke};
use okta_sim::SimConfig;
use serde_json::{Value, json};

fn ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_user_and_factor_lands_once_across_pages() {
    // 450 listed users (three pages of 200) and 30 deprovisioned ones (a second listing).
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_users(480)).await;

    let summary = invoke(&rt, &USERS, json!({"tenant": "acme"})).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");

    let data = &sim.dataset();
    let manifests = aws.manifests("users", "acme").await;
    assert_eq!(manifests.len(), 1);
    let users = aws.lines(&manifests[0]).await;
    let mut got = ids(&users);
    let unique: BTreeSet<_> = got.iter().cloned().collect();
    assert_eq!(unique.len(), got.len(), "no user twice");
    got.sort();
    let mut want = ids(&data.users);
    want.sort();
    assert_eq!(got, want, "every user, DEPROVISIONED included");
    assert!(users.iter().any(|u| u["status"] == "DEPROVISIONED"));
    // Lines are Okta's objects unchanged.
    let by_id = |id: &str| data.users.iter().find(|u| u["id"] == id).unwrap().clone();
    for user in &users {
        assert_eq!(user, &by_id(user["id"].as_str().unwrap()));
    }
    // ⌈active/200⌉ + ⌈deprovisioned/200⌉ pages, nothing more.
    let deprovisioned = data
        .users
        .iter()
        .filter(|u| u["status"] == "DEPROVISIONED")
        .count();
    let active = data.users.len() - deprovisioned;
    let minimum = active.div_ceil(200) + deprovisioned.div_ceil(200).max(1);
    assert_eq!(manifests[0].requests.requests as usize, minimum);

    let factors = aws
        .lines(&aws.manifests("user_factors", "acme").await[0])
        .await;
    // DEPROVISIONED users have no factors to read: Okta answers 404 for them.
    let living: Vec<&str> = data
        .users
        .iter()
        .filter(|u| u["status"] != "DEPROVISIONED")
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let want: usize = living.iter().map(|id| data.factors[*id].len()).sum();
    assert_eq!(factors.len(), want);
    for factor in &factors {
        let user = factor["userId"]
            .as_str()
            .expect("each factor names its user");
        let mut original = factor.clone();
        original.as_object_mut().unwrap().remove("userId");
        assert!(
            data.factors[user].contains(&original),
            "factor unchanged but for userId"
        );
    }
    // One factors call per user who is not DEPROVISIONED, and no 404.
    let manifest = &aws.manifests("user_factors", "acme").await[0];
    assert_eq!(manifest.requests.requests as usize, living.len());
    assert!(
        manifest.excluded.is_empty() && manifest.notes.is_empty(),
        "{manifest:?}"
    );
}

#[tokio::test]
async fn a_single_child_resource_reads_its_parent_for_ids_only() {
    let TestOrg { sim: _sim, aws, rt } = TestOrg::start(SimConfig::small().with_users(50)).await;
    let summary = invoke(
        &rt,
        &USERS,
        json!({"tenant": "acme", "resources": "user_factors"}),
    )
    .await;
    let resources: Vec<_> = summary.tenants[0]
        .resources
        .iter()
        .map(|r| r.resource.as_str())
        .collect();
    assert_eq!(resources, ["user_factors"]);
    assert!(
        aws.manifests("users", "acme").await.is_empty(),
        "users not written"
    );
    assert_eq!(
        aws.manifests("user_factors", "acme").await[0].status,
        Status::Complete
    );
}
