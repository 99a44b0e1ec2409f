//! Pacing against real orgs' rate limits: Okta's shared buckets, its concurrency limit, and a
//! run with no deadline that must give up rather than wait forever. (A concurrency-429 storm,
//! watched through the log, is in `tests/real_org_storm.rs`.)

use std::time::Duration;

use okta_ingest::manifest::Status;
use okta_ingest::okta::bucket_of;
use okta_ingest::resources::{self, APPS, USERS};
use okta_ingest_tests::{TestAws, TestOrg, invoke, run_like_the_cli, ssws, test_options};
use okta_sim::{Bucket, SimConfig, Simulator};
use serde_json::json;
use url::Url;

/// Every path we call, with an Okta-looking id for `{id}`.
fn called_paths() -> Vec<String> {
    let mut paths = vec!["/oauth2/v1/token".to_owned()];
    for group in resources::ALL {
        for resource in group.resources {
            let path = resource.path.replace("{id}", "00u1abcdEFGH2345ijk7");
            for listing in resource.listings.iter().filter(|l| l.starts_with('/')) {
                paths.push(format!("{path}{listing}"));
            }
            paths.push(path);
        }
    }
    paths
}

#[test]
fn we_pace_by_the_buckets_the_simulator_charges() {
    let paths = called_paths();
    let ours =
        |p: &str| bucket_of(&Url::parse(&format!("https://acme.okta.com{p}")).unwrap()).to_string();
    for a in &paths {
        for b in &paths {
            assert_eq!(
                ours(a) == ours(b),
                Bucket::for_path(a) == Bucket::for_path(b),
                "{a} ({}) and {b} ({}): one bucket for Okta (as the simulator models it) iff one for us",
                ours(a),
                ours(b),
            );
        }
    }
}

#[tokio::test]
async fn the_apps_listing_and_its_children_share_one_bucket_and_stay_within_our_share() {
    // Eight a window, of which we may use four: the listing and its three children together.
    let org = TestOrg::start(
        SimConfig::small()
            .with_apps(6)
            .with_rate_limit(Bucket::Apps, 8)
            .with_rate_limit_window(Duration::from_secs(1))
            .with_latency(Duration::from_millis(20)),
    )
    .await;
    let summary = org.run(&APPS).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    assert_eq!(
        org.sim.stats().rate_limited,
        0,
        "in flight counted across the bucket, the share is never overrun"
    );
}

#[tokio::test]
async fn an_org_concurrency_limit_lowers_the_requests_we_keep_in_flight() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(150)
            .with_concurrency_limit(2)
            .with_latency(Duration::from_millis(30)),
    )
    .await
    .unwrap();
    let aws = TestAws::new().await;
    let secret = json!({"org_url": sim.url(), "auth": ssws(), "max_in_flight": 8});
    aws.put_tenant("acme", &secret.to_string()).await;
    let rt = aws.runtime(test_options()).await;
    let summary = tokio::time::timeout(
        Duration::from_secs(120),
        invoke(&rt, &USERS, json!({"tenant": "acme"})),
    )
    .await
    .expect("the run ends");
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    assert_eq!(
        summary.tenants[0].resources[0].records as usize,
        sim.dataset().users.len()
    );
    // Eight factor calls and the listing at once meet a limit of two; halving what we keep in
    // flight after each burst of refusals settles at two within a few rounds, where retrying
    // at the same concurrency would be refused over and over.
    let refused = sim.stats().concurrency_limited;
    assert!((1..=20).contains(&refused), "{refused} concurrency 429s");
}

#[tokio::test]
async fn a_cli_style_run_without_a_deadline_gives_up_when_429s_never_stop() {
    let TestOrg { sim, rt, .. } = TestOrg::start(SimConfig::small().with_users(20)).await;
    sim.faults().concurrency_limit("/api/v1/", 1.0);
    assert!(
        rt.options.time_budget.is_none(),
        "no time budget, as the CLI"
    );
    // The CLI's call: no deadline at all.
    let summary = run_like_the_cli(&rt, "users", Duration::from_secs(60)).await;
    assert_eq!(summary.status, Status::Failed, "{summary:?}");
    let users = &summary.tenants[0].resources[0];
    assert_eq!(users.status, Status::Failed);
    let reason = users.reason.as_deref().unwrap();
    assert!(
        reason.contains("concurrency limit") && reason.contains("max_in_flight"),
        "says what happened and what to do: {reason}"
    );
}

#[tokio::test]
async fn a_request_gives_up_once_it_has_waited_its_budget() {
    let TestOrg { sim, aws, .. } = TestOrg::start(SimConfig::small().with_users(20)).await;
    sim.faults().concurrency_limit("/api/v1/", 1.0);
    // No cap on 429s: only the wait budget ends it.
    let mut options = test_options();
    options.retry.max_rate_limited = u32::MAX;
    options.retry.max_wait = Duration::from_secs(2);
    let rt = aws.runtime(options).await;
    let summary = run_like_the_cli(&rt, "users", Duration::from_secs(60)).await;
    let users = &summary.tenants[0].resources[0];
    assert_eq!(users.status, Status::Failed, "{users:?}");
    let reason = users.reason.as_deref().unwrap();
    assert!(
        reason.contains("of waiting in all") && reason.contains("max_in_flight"),
        "{reason}"
    );
    assert!(
        sim.stats().concurrency_limited > 4,
        "more 429s than test_options tolerate: the budget, not the count, ended it"
    );
}
