//! Churn: the org served after a churn step shows each change, and the System Log holds one
//! event per change, by the admin who made it, naming the changed object.

use std::collections::{BTreeMap, BTreeSet};

use okta_sim::{SimConfig, Simulator};
use serde_json::Value;

use crate::helpers::{body, get, ssws};

async fn fetch(sim: &Simulator, path: &str) -> Value {
    body(get(&format!("{}{path}", sim.url()), &ssws()).await).await
}

#[tokio::test]
async fn each_step_changes_the_served_org_and_logs_who_did_it() {
    let sim = Simulator::start(SimConfig::small())
        .await
        .expect("simulator");
    let before = sim.dataset();
    let events_before = sim.system_log().len();
    let changes = sim.churn(1);
    let kinds: BTreeSet<(&str, &str)> = changes.iter().map(|c| (c.resource, c.change)).collect();
    for expected in [
        ("users", "added"),
        ("users", "modified"),
        ("users", "removed"),
        ("group_members", "added"),
        ("group_members", "removed"),
        ("user_roles", "added"),
        ("user_factors", "added"),
        ("user_factors", "removed"),
        ("policy_rules", "modified"),
        ("app_grants", "added"),
        ("apps", "added"),
        ("app_users", "added"),
        ("network_zones", "modified"),
        ("org_settings", "modified"),
        ("idps", "modified"),
        ("threat_insight", "modified"),
        ("group_rules", "added"),
    ] {
        assert!(kinds.contains(&expected), "no {expected:?} in {kinds:?}");
    }

    // The new user is served; the deleted one is not.
    let added = changes
        .iter()
        .find(|c| (c.resource, c.change) == ("users", "added"))
        .unwrap();
    let removed = changes
        .iter()
        .find(|c| (c.resource, c.change) == ("users", "removed"))
        .unwrap();
    let listed = fetch(&sim, "/api/v1/users?limit=200").await;
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert!(
        listed.contains(&added.key.as_str()),
        "the new user is listed"
    );
    assert!(before.user(&removed.key).is_some());
    assert!(sim.dataset().user(&removed.key).is_none());

    // One event per change's uuid, after the earlier events, by the admin, naming the object.
    let events: BTreeMap<String, Value> = sim.system_log().events()[events_before..]
        .iter()
        .map(|e| (e["uuid"].as_str().unwrap().to_owned(), e.clone()))
        .collect();
    for change in &changes {
        let event = &events[&change.uuid];
        assert_eq!(event["eventType"], change.event_type);
        assert_eq!(event["actor"]["id"], change.actor_id.as_str());
        let targets: Vec<&str> = event["target"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        assert!(
            change.key.is_empty()
                || change.resource == "org_settings"
                || change.key.split('/').any(|id| targets.contains(&id)),
            "{change:?}: {targets:?}"
        );
    }

    // The next step changes other things, and is repeatable from the seed.
    let again = sim.churn(2);
    assert_ne!(again, changes);
}
