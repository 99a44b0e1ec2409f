//! The change feed over 24 hourly runs of a churning org: every change the simulator made is
//! reported once, nothing else is, every posture kind shows up, and changes carry the admin
//! who made them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use okta_ingest::manifest::{Manifest, Status};
use okta_ingest::refresh::{RefreshMode, RefreshPolicy};
use okta_ingest::runtime::{Options, Runtime};
use okta_ingest_tests::{TestOrg, run_like_the_cli, test_options};
use okta_sim::SimConfig;
use serde_json::Value;

/// The change records and manifests of one run.
async fn changes_of(org: &TestOrg, run: &str) -> (Vec<Manifest>, Vec<Value>) {
    let prefix = format!("_manifests/changes/tenant=acme/run={run}-");
    let mut manifests: Vec<Manifest> = Vec::new();
    for key in org.aws.keys(&prefix).await {
        manifests.push(serde_json::from_slice(&org.aws.object(&key).await).expect("a manifest"));
    }
    let mut records = Vec::new();
    for manifest in &manifests {
        records.extend(org.aws.lines(manifest).await);
    }
    (manifests, records)
}

/// One run: the System Log first (it runs every few minutes), then every snapshot, the hourly
/// groups incrementally after the first (so the feed compares incremental states too).
async fn hourly_run(rt: &Runtime) -> String {
    let limit = Duration::from_secs(120);
    run_like_the_cli(rt, "okta-logs", limit).await;
    let summary = run_like_the_cli(rt, "all", limit).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    summary.run_id.to_string()
}

/// The test's runtime: incremental refresh on, with an overlap of a second (its runs are
/// seconds apart, not an hour).
async fn incremental(org: &TestOrg) -> Runtime {
    org.aws
        .runtime(Options {
            refresh: RefreshPolicy {
                mode: RefreshMode::Auto,
                overlap: chrono::Duration::seconds(1),
                ..RefreshPolicy::default()
            },
            ..test_options()
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_hourly_runs_reports_every_change_once_with_who_made_it() {
    let org = TestOrg::start(SimConfig::small()).await;
    let rt = incremental(&org).await;
    let first = hourly_run(&rt).await;
    let (manifests, records) = changes_of(&org, &first).await;
    assert!(records.is_empty(), "nothing to compare with yet");
    assert!(
        manifests.iter().all(|m| m.status == Status::Skipped
            && m.reason.as_deref().unwrap().contains("first complete")),
        "{manifests:?}"
    );

    let (mut missed, mut phantom) = (Vec::new(), Vec::new());
    let (mut total, mut attributed, mut right_actor) = (0usize, 0usize, 0usize);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for step in 1..=24 {
        let truth = org.sim.churn(step);
        let run = hourly_run(&rt).await;
        let (manifests, records) = changes_of(&org, &run).await;
        assert!(
            manifests.iter().all(|m| m.status == Status::Complete),
            "step {step}: {manifests:?}"
        );
        let want: BTreeMap<(String, String, String), &okta_sim::Change> = truth
            .iter()
            .map(|c| {
                (
                    (c.resource.to_owned(), c.key.clone(), c.change.to_owned()),
                    c,
                )
            })
            .collect();
        let mut got = BTreeSet::new();
        for record in &records {
            let key = (
                record["resource"].as_str().unwrap().to_owned(),
                record["key"].as_str().unwrap().to_owned(),
                record["change"].as_str().unwrap().to_owned(),
            );
            assert!(
                got.insert(key.clone()),
                "step {step}: {key:?} reported twice"
            );
            *kinds
                .entry(record["kind"].as_str().unwrap().to_owned())
                .or_default() += 1;
            total += 1;
            let Some(made) = want.get(&key) else {
                phantom.push((step, key, record["fields"].clone()));
                continue;
            };
            if !record["cause"].is_null() {
                attributed += 1;
                let cause = &record["cause"];
                if cause["event_uuid"] == made.uuid.as_str()
                    && cause["actor"]["id"] == made.actor_id.as_str()
                {
                    right_actor += 1;
                }
            }
        }
        missed.extend(
            want.keys()
                .filter(|k| !got.contains(*k))
                .map(|k| (step, k.clone())),
        );
    }
    assert!(missed.is_empty(), "missed: {missed:#?}");
    assert!(phantom.is_empty(), "phantom: {phantom:#?}");
    for kind in [
        "admin_role.granted",
        "admin_role.revoked",
        "admin_role.granted_to_group",
        "admin_group.member_added",
        "mfa.factor_enrolled",
        "mfa.factor_removed",
        "user.created",
        "user.deleted",
        "user.suspended",
        "user.unsuspended",
        "user.deprovisioned",
        "user.reactivated",
        "app.created",
        "app.assigned_to_user",
        "app.oauth_grant_added",
        "policy_rule.weakened",
        "network_zone.changed",
        "idp.changed",
        "threat_insight.action_changed",
        "org.okta_support_enabled",
        "group_rule.created",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} in {kinds:#?}");
    }
    println!(
        "changes: {total} over 24 runs, {attributed} attributed ({right_actor} to the right event and actor), kinds: {kinds:?}"
    );
    assert!(
        right_actor * 10 >= total * 9,
        "{right_actor} of {total} changes carry their actor"
    );
}
