//! Incremental refresh over a day of a churning org: each hourly incremental state equals a
//! full snapshot read at the same moment (deletions included), for a fraction of the
//! requests; the daily reconciliation finds nothing to fix, and finds what a quiet change
//! (one the System Log never saw) left behind.

use std::time::Duration;

use okta_ingest::invocation::Target;
use okta_ingest::manifest::{Manifest, Status};
use okta_ingest::refresh::{RefreshMode, RefreshPolicy};
use okta_ingest::resources::{self, Group};
use okta_ingest::runner;
use okta_ingest::runtime::{Options, Runtime};
use okta_ingest::summary::RunSummary;
use okta_ingest::system_log::Window;
use okta_ingest::tenant::TenantId;
use okta_ingest_tests::{TestAws, secret, ssws, test_options};
use okta_sim::{SimConfig, Simulator};

const GROUPS: [&Group; 3] = [&resources::USERS, &resources::GROUPS, &resources::APPS];

async fn run(rt: &Runtime, tenant: &str) -> RunSummary {
    let target = Target::Tenant(TenantId::parse(tenant).expect("a tenant id"));
    let plan: Vec<_> = GROUPS
        .iter()
        .map(|g| (*g, g.resources.iter().map(|r| r.name).collect()))
        .collect();
    let summary = tokio::time::timeout(
        Duration::from_secs(120),
        runner::run(rt, &target, &plan, &Window::Live, None),
    )
    .await
    .expect("the run ends")
    .expect("a summary");
    assert_eq!(summary.status, Status::Complete, "{summary:#?}");
    // Run ids are whole seconds: the next run of this tenant gets its own.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    summary
}

fn requests(summary: &RunSummary) -> u64 {
    summary.tenants.iter().map(|t| t.requests.requests).sum()
}

/// Each resource's manifest of `run` for `tenant`.
async fn manifests(aws: &TestAws, tenant: &str, summary: &RunSummary) -> Vec<Manifest> {
    let mut found = Vec::new();
    for group in GROUPS {
        for resource in group.resources {
            let manifest = aws
                .manifests(resource.name, tenant)
                .await
                .into_iter()
                .find(|m| m.run_id == summary.run_id.as_str())
                .unwrap_or_else(|| panic!("{tenant} has no {} manifest", resource.name));
            found.push(manifest);
        }
    }
    found
}

/// The differences between two sets of snapshots, per resource, each compared whole.
async fn differences(rt: &Runtime, ours: &[Manifest], theirs: &[Manifest]) -> Vec<String> {
    let mut found = Vec::new();
    for (a, b) in ours.iter().zip(theirs) {
        let resource = resources::find(&a.resource).expect("declared");
        let keys = |m: &Manifest| m.parts.iter().map(|p| p.key.clone()).collect::<Vec<_>>();
        let scratch =
            std::env::temp_dir().join(format!("incremental-test-{:08x}", fastrand::u32(..)));
        let diff =
            okta_ingest::changes::differences(&rt.store, resource, &keys(a), &keys(b), &scratch)
                .await
                .expect("compared");
        found.extend(
            diff.keys(diff.count)
                .unwrap()
                .into_iter()
                .map(|k| format!("{}: {k}", a.resource)),
        );
        let _ = std::fs::remove_dir_all(&scratch);
    }
    found
}

/// The change feed's counts for run `summary`, by resource: added, removed, modified.
async fn feed(aws: &TestAws, tenant: &str, summary: &RunSummary) -> Vec<(String, [u64; 3])> {
    let mut found: Vec<_> = aws
        .manifests(resources::CHANGE_FEED.name, tenant)
        .await
        .into_iter()
        .filter(|m| m.run_id == summary.run_id.as_str())
        .filter_map(|m| m.changes)
        .map(|c| (c.source, [c.added, c.removed, c.modified]))
        .collect();
    found.sort();
    found
}

fn options(mode: RefreshMode, reconcile_every: chrono::Duration) -> Options {
    Options {
        // The runs of this test are seconds apart, not an hour: an overlap of minutes would
        // read every change of the test again each time.
        refresh: RefreshPolicy {
            mode,
            reconcile_every,
            overlap: chrono::Duration::seconds(1),
        },
        ..test_options()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hourly_incremental_states_equal_full_snapshots_and_reconciliation_finds_only_quiet_changes()
 {
    let sim = Simulator::start(SimConfig::small())
        .await
        .expect("the simulator starts");
    let aws = TestAws::new().await;
    // Two tenants on the same org: one refreshed incrementally, one read in full each time.
    aws.put_tenant("inc", &secret(&sim.url(), ssws())).await;
    aws.put_tenant("full", &secret(&sim.url(), ssws())).await;
    let day = chrono::Duration::hours(24);
    let incremental = aws.runtime(options(RefreshMode::Auto, day)).await;
    let full = aws.runtime(options(RefreshMode::Full, day)).await;

    let first = run(&incremental, "inc").await;
    let full_requests = requests(&first);
    for m in manifests(&aws, "inc", &first).await {
        let note = m
            .refresh
            .expect("every snapshot of these groups says how it was made");
        assert_eq!(note.mode, "full", "{}: {}", m.resource, note.reason);
    }
    run(&full, "full").await;

    let mut ratios = Vec::new();
    // Members the log's membership events added, not read from Okta.
    let mut applied = 0;
    let mut before = manifests(&aws, "inc", &first).await;
    // Every id a change named: a quiet change below must be to something else.
    let mut named = std::collections::BTreeSet::new();
    for step in 1..=6 {
        let truth = sim.churn_fraction(step, 0.01);
        named.extend(
            truth
                .iter()
                .flat_map(|c| c.key.split('/').map(str::to_owned).collect::<Vec<_>>()),
        );
        let ours = run(&incremental, "inc").await;
        let theirs = run(&full, "full").await;
        let (a, b) = (
            manifests(&aws, "inc", &ours).await,
            manifests(&aws, "full", &theirs).await,
        );
        for m in &a {
            let note = m.refresh.as_ref().unwrap();
            assert_eq!(
                note.mode, "incremental",
                "step {step}, {}: {}",
                m.resource, note.reason
            );
            assert_eq!(m.status, Status::Complete);
            applied += note.applied;
        }
        let differ = differences(&incremental, &a, &b).await;
        assert!(
            differ.is_empty(),
            "step {step}: the incremental state differs: {differ:#?}"
        );
        // The change feed compares only what the run did not carry; it must find what a
        // comparison of the whole snapshots finds.
        let whole = differences(&incremental, &before, &a).await;
        let mut expected: Vec<(String, [u64; 3])> = a
            .iter()
            .map(|m| {
                let of = |kind: &str| {
                    whole
                        .iter()
                        .filter(|d| d.starts_with(&format!("{}: {kind} ", m.resource)))
                        .count() as u64
                };
                (
                    m.resource.clone(),
                    [of("added"), of("removed"), of("modified")],
                )
            })
            .collect();
        expected.sort();
        assert_eq!(feed(&aws, "inc", &ours).await, expected, "step {step}");
        assert!(
            expected
                .iter()
                .any(|(_, counts)| counts.iter().sum::<u64>() > 0),
            "step {step} changed something"
        );
        before = a;
        let removed = truth.iter().filter(|c| c.change == "removed").count();
        assert!(removed > 0, "step {step} deletes something");
        let (ours, theirs) = (requests(&ours), requests(&theirs));
        assert!(
            ours * 5 < theirs,
            "step {step}: {ours} requests against {theirs}"
        );
        ratios.push(ours as f64 / theirs as f64);
    }
    println!("incremental/full requests per step: {ratios:.3?} (first full run: {full_requests})");
    assert!(
        applied > 0,
        "the churn adds members, and each equal state above had them applied from the log"
    );

    // The reconciliation finds nothing after the churn the log saw…
    let truth = sim.churn_fraction(7, 0.01);
    named.extend(
        truth
            .iter()
            .flat_map(|c| c.key.split('/').map(str::to_owned).collect::<Vec<_>>()),
    );
    let reconciling = aws
        .runtime(options(RefreshMode::Auto, chrono::Duration::seconds(1)))
        .await;
    let reconciled = run(&reconciling, "inc").await;
    for m in manifests(&aws, "inc", &reconciled).await {
        let note = m.refresh.unwrap();
        assert_eq!(note.mode, "full", "{}", m.resource);
        assert!(note.reason.contains("reconciliation"), "{}", note.reason);
        let carries = resources::find(&m.resource)
            .is_some_and(|r| r.parent.is_some() || r.changed_since.is_some());
        if carries {
            assert_eq!(
                note.drift,
                Some(0),
                "{}: {:?}",
                m.resource,
                note.drift_examples
            );
        }
    }

    // …and finds a factor removed without a trace, which an incremental run cannot see.
    let mut quiet = None;
    sim.edit_quietly(|data| {
        let (user, factors) = data
            .factors
            .iter_mut()
            .find(|(user, f)| !f.is_empty() && !named.contains(*user))
            .expect("a user with factors that no change named");
        let factor = factors.pop().unwrap();
        quiet = Some(format!("{user}/{}", factor["id"].as_str().unwrap()));
    });
    let missed = run(&incremental, "inc").await;
    let factors = manifests(&aws, "inc", &missed).await;
    let factors = factors
        .iter()
        .find(|m| m.resource == "user_factors")
        .unwrap();
    assert_eq!(factors.refresh.as_ref().unwrap().mode, "incremental");
    let reconciled = run(&reconciling, "inc").await;
    let factors = manifests(&aws, "inc", &reconciled).await;
    let note = factors
        .iter()
        .find(|m| m.resource == "user_factors")
        .and_then(|m| m.refresh.clone())
        .unwrap();
    assert_eq!(note.drift, Some(1), "{note:?}");
    assert_eq!(note.drift_examples, [format!("removed {}", quiet.unwrap())]);
}
