//! Fan-out through SQS end to end: a tick dispatched to a thousand tenants, workers draining
//! the queue against one simulator, poison in the dead-letter queue, a busy tenant put back,
//! and tenants too big for one invocation carried on until their snapshot is complete or
//! their System Log backlog drained.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use lambda_runtime::{Context, LambdaEvent};
use okta_ingest::lambda;
use okta_ingest::layout::RunId;
use okta_ingest::manifest::{Manifest, Status};
use okta_ingest::queue::{Carry, WorkMessage};
use okta_ingest::resources::{LOGS, POLICIES, USERS};
use okta_ingest::router::Reply;
use okta_ingest::summary::RunSummary;
use okta_ingest::tenant::TenantId;
use okta_ingest_tests::{
    TestAws, TestOrg, TestQueue, gunzip_lines, invoke, scheduled_event, secret, served, ssws,
    test_options,
};
use okta_sim::{Bucket, Engine, SimConfig, Simulator};
use serde_json::{Value, json};

const TENANTS: usize = 1_000;
/// The broken secret and the revoked token among them.
const POISONED: [&str; 2] = ["t0500", "t0501"];

/// One org for every tenant, with limits no thousand tenants reach (each tenant is its own
/// org in real life, with its own limits).
fn shared_org(users: usize) -> SimConfig {
    SimConfig::small()
        .with_users(users)
        .with_rate_limit(Bucket::UsersList, 1_000_000)
        .with_rate_limit(Bucket::Users, 1_000_000)
}

/// A simulated org reached by tenant `acme` (see `TestOrg`), its runtime sending to a work queue.
async fn org_with_queue(
    config: SimConfig,
    max_receives: u32,
    visibility: u32,
) -> (TestOrg, TestQueue) {
    let mut org = TestOrg::start(config).await;
    let queue = TestQueue::new(max_receives, visibility).await;
    org.rt.queue = Some(queue.work_queue().await);
    (org, queue)
}

/// A simulated org for tenant `acme` whose work queue holds `first`, as a tick leaves it.
async fn org_with_message(config: SimConfig, first: &WorkMessage) -> (TestOrg, TestQueue) {
    let (org, queue) = org_with_queue(config, 3, 10).await;
    queue
        .work_queue()
        .await
        .send(first, Duration::ZERO)
        .await
        .expect("send");
    (org, queue)
}

/// A 1,000-user tenant whose tick `first` has had its first 3 s invocation: the run (whose
/// id is returned) is under way, continuation 0 queued. Big and slow enough (50 ms a call)
/// that three such invocations, each stopping about 1 s in, cannot finish it.
async fn a_run_in_progress(first: &WorkMessage) -> (TestOrg, TestQueue, RunId) {
    let config = shared_org(1_000).with_latency(Duration::from_millis(50));
    let (org, queue) = org_with_message(config, first).await;
    let started = queue
        .deliver_one(&org.rt, &USERS, Duration::from_secs(3))
        .await
        .expect("the tick");
    let run = started.reply.runs[0].run_id.clone();
    assert_eq!(queue.depth(&queue.url).await, (1, 0, 0), "continuation 0");
    (org, queue, run)
}

fn message(tenant: &str) -> WorkMessage {
    WorkMessage {
        tenant: TenantId::parse(tenant).expect("a tenant id"),
        group: "users".into(),
        dispatch: RunId::new(Utc::now()),
        scheduled_at: Utc::now(),
        continues: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_fans_out_to_a_thousand_tenants_and_poison_lands_in_the_dead_letter_queue() {
    let t0 = Instant::now();
    let sim = Simulator::start(shared_org(3)).await.expect("simulator");
    let aws = TestAws::new().await;
    let good = secret(&sim.url(), ssws());
    let revoked = secret(
        &sim.url(),
        json!({"type": "ssws", "token": "revoked-token"}),
    );
    futures::stream::iter(0..TENANTS)
        .map(|i| {
            let tenant = format!("t{i:04}");
            let body = match tenant.as_str() {
                "t0500" => "{ not json".to_owned(),
                "t0501" => revoked.clone(),
                _ => good.clone(),
            };
            let aws = &aws;
            async move { aws.put_tenant(&tenant, &body).await }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let setup_seconds = t0.elapsed().as_secs_f64();
    // Visible again 30 s after a failed run: like the template's 960 s, longer than any run
    // (a message redelivered while its run is still going would be put back and run again).
    let queue = TestQueue::new(2, 30).await;
    let mut rt = aws.runtime(test_options()).await;
    rt.queue = Some(queue.work_queue().await);

    let started = Instant::now();
    let reply = lambda::invoke(
        &rt,
        &USERS,
        LambdaEvent::new(scheduled_event(), Context::default()),
    )
    .await
    .expect("dispatch");
    let dispatch_seconds = started.elapsed().as_secs_f64();
    let Reply::Dispatch(dispatched) = reply else {
        panic!("expected a dispatch, got {reply:?}");
    };
    assert_eq!(dispatched.dispatched, TENANTS);
    assert!(dispatched.invalid.is_empty());
    assert_eq!(queue.depth(&queue.url).await, (TENANTS as u64, 0, 0));

    let started = Instant::now();
    let deliveries = queue.drain(&rt, &USERS, Duration::from_secs(300)).await;
    let drain_seconds = started.elapsed().as_secs_f64();
    let handler_ms = deliveries
        .iter()
        .map(|d| d.handler_time.as_secs_f64() * 1e3)
        .sum::<f64>()
        / deliveries.len() as f64;
    let replies: Vec<_> = deliveries.into_iter().map(|d| d.reply).collect();

    // The poisoned tenants failed on every receive, then went to the dead-letter queue.
    let dead: BTreeSet<String> = queue
        .peek(&queue.dlq_url)
        .await
        .iter()
        .map(|m| m["tenant"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(dead, POISONED.iter().map(|t| t.to_string()).collect());
    let failures: usize = replies
        .iter()
        .map(|r| r.sqs.batch_item_failures.len())
        .sum();
    assert_eq!(failures, POISONED.len() * 2, "each poisoned message, twice");

    // Every other tenant has complete manifests for both resources, with the org's records.
    let data = &sim.dataset();
    let factors: u64 = data.factors.values().map(|f| f.len() as u64).sum();
    for (resource, records) in [
        ("users", data.users.len() as u64),
        ("user_factors", factors),
    ] {
        let keys = aws.all_keys(&format!("_manifests/{resource}/")).await;
        let manifests: Vec<Manifest> = futures::stream::iter(&keys)
            .map(|k| async { serde_json::from_slice(&aws.object(k).await).expect("manifest") })
            .buffer_unordered(32)
            .collect()
            .await;
        let complete: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| m.status == Status::Complete)
            .collect();
        assert_eq!(complete.len(), TENANTS - POISONED.len(), "{resource}");
        // The revoked token's two attempts each failed: two runs, two failed manifests.
        let others: Vec<(&str, Status)> = manifests
            .iter()
            .filter(|m| m.status != Status::Complete)
            .map(|m| (m.tenant.as_str(), m.status))
            .collect();
        assert_eq!(others, [("t0501", Status::Failed); 2], "{resource}");
        assert!(complete.iter().all(|m| m.records == records), "{resource}");
        let tenants: BTreeSet<&str> = complete.iter().map(|m| m.tenant.as_str()).collect();
        assert!(!tenants.contains("t0500") && !tenants.contains("t0501"));
    }

    // Requests per tenant through the queue equal a direct one-tenant run's.
    let per_tenant: BTreeSet<u64> = replies
        .iter()
        .flat_map(|r| &r.runs)
        .filter(|run| run.status == Status::Complete)
        .map(|run| run.tenants[0].requests.requests)
        .collect();
    let direct = invoke(&rt, &USERS, json!({"tenant": "t0000"})).await;
    assert_eq!(
        per_tenant,
        BTreeSet::from([direct.tenants[0].requests.requests])
    );
    println!(
        "fan-out: {TENANTS} secrets made in {setup_seconds:.1} s; dispatched in \
         {dispatch_seconds:.2} s; drained {} messages (up to 10 at once) in {drain_seconds:.1} s = {:.0} \
         messages/s, {handler_ms:.0} ms per invocation; {} Okta requests per tenant, as in a \
         direct run",
        replies.len(),
        replies.len() as f64 / drain_seconds,
        direct.tenants[0].requests.requests
    );
}

#[tokio::test]
async fn a_message_for_a_busy_tenant_is_put_back_until_the_lease_ends() {
    let (TestOrg { sim: _sim, aws, rt }, queue) = org_with_queue(SimConfig::small(), 3, 1).await;
    // Another run of the users group holds acme's lease for the next 30 s.
    let lease =
        json!({"holder": "another-run", "expires_at": Utc::now() + chrono::Duration::seconds(30)});
    aws.put(
        "_state/users/tenant=acme/lease.json",
        lease.to_string().into_bytes(),
    )
    .await;
    let sent = message("acme");
    queue
        .work_queue()
        .await
        .send(&sent, Duration::ZERO)
        .await
        .expect("send");

    let reply = queue
        .deliver_one(&rt, &USERS, Duration::from_secs(60))
        .await
        .expect("a message")
        .reply;
    assert!(
        reply.sqs.batch_item_failures.is_empty(),
        "put back, not failed"
    );
    assert!(reply.runs.is_empty(), "nothing ran");
    assert!(aws.all_keys("_manifests/").await.is_empty());
    // The copy waits, delayed until about when the lease ends.
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 1));
}

#[tokio::test]
async fn a_tick_the_running_run_already_serves_is_dropped_not_put_back() {
    let (TestOrg { sim: _sim, aws, rt }, queue) = org_with_queue(SimConfig::small(), 3, 1).await;
    // The run holding the lease serves a tick newer than the message's (a copy put back
    // earlier, coming round again while the next tick's run is going).
    let older = message("acme");
    let lease = json!({
        "holder": "newer-tick-run",
        "expires_at": Utc::now() + chrono::Duration::seconds(30),
        "tick": older.scheduled_at + chrono::Duration::minutes(5),
    });
    aws.put(
        "_state/users/tenant=acme/lease.json",
        lease.to_string().into_bytes(),
    )
    .await;
    let work = queue.work_queue().await;
    work.send(&older, Duration::ZERO).await.expect("send");

    let reply = queue
        .deliver_one(&rt, &USERS, Duration::from_secs(60))
        .await
        .expect("a message")
        .reply;
    assert!(reply.sqs.batch_item_failures.is_empty() && reply.runs.is_empty());
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 0), "dropped");

    // A continuation of that older tick, with pages left to read, is never dropped: it is
    // put back.
    let left = json!({
        "run_id": "20261128T000000Z-0a1b", "group": "users", "step": 0,
        "resources": [{
            "resource": "users", "written": true, "parts": [],
            "requests": {"requests": 1, "retries": 0, "rate_limited": 0},
            "started_at": older.scheduled_at,
            "from": {"listing": 0, "next": "https://example.okta.com/api/v1/users?after=x"},
        }],
    });
    aws.put(
        "_state/users/tenant=acme/continuation.json",
        left.to_string().into_bytes(),
    )
    .await;
    let continuation = WorkMessage {
        continues: Some(Carry {
            run: RunId::parse("20261128T000000Z-0a1b").unwrap(),
            step: 0,
        }),
        ..older
    };
    work.send(&continuation, Duration::ZERO)
        .await
        .expect("send");
    queue
        .deliver_one(&rt, &USERS, Duration::from_secs(60))
        .await
        .expect("a message");
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 1), "put back");
}

#[tokio::test]
async fn ticks_that_come_during_a_long_run_wait_as_one() {
    let (TestOrg { sim: _sim, aws, rt }, queue) = org_with_queue(SimConfig::small(), 3, 1).await;
    let t0 = Utc::now();
    let lease =
        json!({"holder": "long-run", "expires_at": t0 + chrono::Duration::seconds(30), "tick": t0});
    let key = "_state/users/tenant=acme/lease.json";
    aws.put(key, lease.to_string().into_bytes()).await;
    let tick = |minutes| WorkMessage {
        scheduled_at: t0 + chrono::Duration::minutes(minutes),
        ..message("acme")
    };
    let (t1, t2) = (tick(5), tick(10));
    let limit = Duration::from_secs(60);
    let waiting = async || {
        let lease: Value = serde_json::from_slice(&aws.object(key).await).unwrap();
        serde_json::from_value::<chrono::DateTime<Utc>>(lease["waiting"].clone()).ok()
    };

    // Each newer tick is put back behind the run and becomes the one waiting.
    for (t, delayed) in [(&t1, 1), (&t2, 2)] {
        let reply = queue.redeliver(&rt, &USERS, t, limit).await.reply;
        assert!(reply.runs.is_empty() && reply.sqs.batch_item_failures.is_empty());
        assert_eq!(queue.depth(&queue.url).await, (0, 0, delayed), "put back");
        assert_eq!(waiting().await, Some(t.scheduled_at));
    }
    // When the first comes round again, a newer tick waits: it is dropped. The newer one
    // itself is put back again.
    queue.redeliver(&rt, &USERS, &t1, limit).await;
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 2), "t1 dropped");
    queue.redeliver(&rt, &USERS, &t2, limit).await;
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 3), "t2 waits on");
    assert_eq!(waiting().await, Some(t2.scheduled_at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fresh_run_starts_between_two_invocations_of_a_run() {
    let first = message("acme");
    let (
        TestOrg {
            sim: _sim,
            aws: _aws,
            rt,
        },
        queue,
        run,
    ) = a_run_in_progress(&first).await;
    let limit = Duration::from_secs(3);

    // The next tick arrives before the continuation is picked up: it waits.
    let next_tick = WorkMessage {
        scheduled_at: first.scheduled_at + chrono::Duration::minutes(5),
        ..message("acme")
    };
    let reply = queue.redeliver(&rt, &USERS, &next_tick, limit).await.reply;
    assert!(
        reply.runs.is_empty(),
        "a fresh run started: {:?}",
        reply.runs
    );
    assert_eq!(queue.depth(&queue.url).await, (1, 0, 1), "put back");

    // The continuation takes the lease handed to it and carries the same run on.
    let carried = queue
        .deliver_one(&rt, &USERS, limit)
        .await
        .expect("continuation 0");
    assert_eq!(carried.reply.runs.len(), 1, "{:?}", carried.reply);
    assert_eq!(carried.reply.runs[0].run_id, run);
}

#[tokio::test]
async fn a_copy_of_a_tick_whose_run_ended_is_dropped() {
    let (TestOrg { sim: _sim, aws, rt }, queue) = org_with_queue(SimConfig::small(), 3, 1).await;
    let tick = message("acme");
    let limit = Duration::from_secs(60);
    let ran = queue.redeliver(&rt, &USERS, &tick, limit).await.reply;
    assert_eq!(ran.runs.len(), 1);
    assert_eq!(ran.runs[0].status, Status::Complete);

    // EventBridge, or a dispatch retried after a partial send, delivers the tick again.
    let again = queue.redeliver(&rt, &USERS, &tick, limit).await.reply;
    assert!(again.runs.is_empty(), "ran twice: {:?}", again.runs);
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 0));
    assert_eq!(aws.manifests("users", "acme").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_tenant_carries_on_until_its_snapshot_is_complete() {
    let config = shared_org(400).with_latency(Duration::from_millis(20));
    let (TestOrg { sim, aws, rt }, queue) = org_with_message(config, &message("acme")).await;

    // Each invocation has 3 s: it stops about 1 s in and enqueues its continuation.
    let replies: Vec<_> = queue
        .drain(&rt, &USERS, Duration::from_secs(3))
        .await
        .into_iter()
        .map(|d| d.reply)
        .collect();
    assert!(
        replies.iter().all(|r| r.sqs.batch_item_failures.is_empty()),
        "{replies:?}"
    );
    // At least one continuation (how many depends on the machine's speed).
    assert!(
        replies.len() >= 2,
        "continued: {} invocations",
        replies.len()
    );
    let run_ids: BTreeSet<&str> = replies
        .iter()
        .flat_map(|r| &r.runs)
        .map(|r| r.run_id.as_str())
        .collect();
    assert_eq!(run_ids.len(), 1, "one run, carried on: {run_ids:?}");

    let data = &sim.dataset();
    let users = aws.manifests("users", "acme").await;
    let factors = aws.manifests("user_factors", "acme").await;
    assert_eq!((users.len(), factors.len()), (1, 1));
    assert_eq!(users[0].status, Status::Complete, "{:?}", users[0]);
    assert_eq!(factors[0].status, Status::Complete, "{:?}", factors[0]);

    let user_ids = aws.ids(&users[0]).await;
    let unique: BTreeSet<&String> = user_ids.iter().collect();
    assert_eq!(unique.len(), user_ids.len(), "no user twice");
    assert_eq!(user_ids.len(), data.users.len(), "every user");

    let factor_lines = aws.lines(&factors[0]).await;
    let factor_keys: BTreeSet<(String, String)> = factor_lines
        .iter()
        .map(|f: &Value| {
            (
                f["userId"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: usize = data.factors.values().map(Vec::len).sum();
    assert_eq!(factor_keys.len(), factor_lines.len(), "no factor twice");
    assert_eq!(factor_lines.len(), want, "every factor");

    // Every part in the bucket is one the manifests list: nothing orphaned, nothing extra.
    for manifest in [&users[0], &factors[0]] {
        let listed: BTreeSet<&str> = manifest.parts.iter().map(|p| p.key.as_str()).collect();
        let prefix = format!("{}/tenant=acme/", manifest.resource);
        let stored = aws.all_keys(&prefix).await;
        assert_eq!(
            stored.iter().map(String::as_str).collect::<BTreeSet<_>>(),
            listed
        );
    }
    println!(
        "continuation: {} users and {} factors in {} invocations of one run; {} requests",
        user_ids.len(),
        factor_lines.len(),
        replies.len(),
        users[0].requests.requests + factors[0].requests.requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_delivered_twice_is_carried_on_once() {
    let first = message("acme");
    let (TestOrg { sim, aws, rt }, queue, run) = a_run_in_progress(&first).await;
    let limit = Duration::from_secs(3);

    // Continuation 0 runs and enqueues continuation 1.
    let step0 = WorkMessage {
        continues: Some(Carry {
            run: run.clone(),
            step: 0,
        }),
        ..first
    };
    let carried = queue.deliver_one(&rt, &USERS, limit).await.expect("step 0");
    assert_eq!(carried.reply.runs.len(), 1, "{:?}", carried.reply);
    assert_eq!(queue.depth(&queue.url).await, (1, 0, 0), "continuation 1");

    // SQS delivers continuation 0 again: the chain has moved on, so nothing runs and
    // nothing more is enqueued.
    let again = queue.redeliver(&rt, &USERS, &step0, limit).await.reply;
    assert!(again.sqs.batch_item_failures.is_empty(), "{again:?}");
    assert!(again.runs.is_empty(), "ran again: {:?}", again.runs);
    assert_eq!(queue.depth(&queue.url).await, (1, 0, 0), "no second chain");

    // The chain completes the run, every user once.
    let rest = queue.drain(&rt, &USERS, limit).await;
    assert!(
        rest.iter()
            .all(|d| d.reply.sqs.batch_item_failures.is_empty()),
        "{rest:?}"
    );
    let users = aws.manifests("users", "acme").await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].status, Status::Complete, "{:?}", users[0]);
    let ids = aws.ids(&users[0]).await;
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), unique.len()),
        (sim.dataset().users.len(), ids.len())
    );
    println!(
        "duplicate continuation dropped; the run completed in {} invocations",
        rest.len() + 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_does_not_carry_on_past_a_parent_that_failed() {
    // The user listing fails for good after its first pages, while the factor calls (50 ms
    // each, far behind the listing) run into the invocation's deadline.
    let config = shared_org(1_000).with_latency(Duration::from_millis(50));
    let (TestOrg { sim, aws, rt }, queue) = org_with_message(config, &message("acme")).await;
    let breakdown = async {
        served(&sim, "/api/v1/users", 2).await;
        sim.faults().error_rate("/api/v1/users$", 1.0, 503);
    };
    let (deliveries, ()) =
        tokio::join!(queue.drain(&rt, &USERS, Duration::from_secs(3)), breakdown);

    // No continuation: the run ends in its first invocation, partial, not retried.
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let reply = &deliveries[0].reply;
    assert!(reply.sqs.batch_item_failures.is_empty(), "{reply:?}");
    let users = aws.manifests("users", "acme").await;
    let factors = aws.manifests("user_factors", "acme").await;
    assert_eq!(users[0].status, Status::Partial, "{:?}", users[0]);
    assert_eq!(factors[0].status, Status::Partial, "{:?}", factors[0]);
    let reason = factors[0].reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with("parent users is partial"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_continued_past_the_listings_an_org_has_is_complete() {
    // A Classic org refuses the Identity Engine policy types, listed after the four it has.
    // A 429 whose reset is past the deadline stops the run among those it refuses.
    let config = SimConfig::small()
        .with_engine(Engine::Classic)
        .with_latency(Duration::from_millis(100));
    let first = WorkMessage {
        group: "policies".into(),
        ..message("acme")
    };
    let (TestOrg { sim, aws, rt }, queue) = org_with_message(config, &first).await;
    let pause = async {
        served(&sim, "/api/v1/policies", 5).await;
        sim.faults()
            .rate_limit_next("/api/v1/policies$", 1, Duration::from_secs(600));
    };
    let (deliveries, ()) =
        tokio::join!(queue.drain(&rt, &POLICIES, Duration::from_secs(20)), pause);
    assert!(deliveries.len() >= 2, "continued: {deliveries:?}");
    let policies = aws.manifests("policies", "acme").await;
    assert_eq!(policies[0].status, Status::Complete, "{:?}", policies[0]);
    let rules = aws.manifests("policy_rules", "acme").await;
    assert_eq!(rules[0].status, Status::Complete, "{:?}", rules[0]);
    let ids: BTreeSet<String> = aws.ids(&policies[0]).await.into_iter().collect();
    assert_eq!(ids.len(), sim.dataset().policies.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_log_backlog_is_drained_by_continuations_exactly_once() {
    // 8 pages at 100 ms each: more than one 3 s invocation (stopping 1 s in) can read.
    let config = SimConfig::small()
        .with_log_events(8_000)
        .with_latency(Duration::from_millis(100));
    let first = WorkMessage {
        group: "logs".into(),
        ..message("acme")
    };
    let (TestOrg { sim, aws, rt }, queue) = org_with_message(config, &first).await;

    let replies: Vec<_> = queue
        .drain(&rt, &LOGS, Duration::from_secs(3))
        .await
        .into_iter()
        .map(|d| d.reply)
        .collect();
    assert!(
        replies.len() >= 2,
        "continued: {} invocations",
        replies.len()
    );
    let runs: Vec<&RunSummary> = replies.iter().flat_map(|r| &r.runs).collect();
    assert!(runs.iter().all(|r| r.status != Status::Failed), "{runs:?}");
    // One chain of continuations: behind, behind, …, caught up, and no run beside it.
    let caught_up: Vec<bool> = runs
        .iter()
        .map(|r| {
            r.tenants[0].resources[0]
                .notes
                .iter()
                .any(|n| n == "caught up")
        })
        .collect();
    assert!(
        caught_up.last() == Some(&true) && caught_up.iter().filter(|c| **c).count() == 1,
        "only the last run is caught up; the runs were {:#?}",
        runs.iter()
            .map(|r| (
                r.status,
                &r.tenants[0].resources[0].notes,
                &r.tenants[0].resources[0].reason
            ))
            .collect::<Vec<_>>()
    );

    // Every event exactly once across the invocations' parts.
    let mut seen = BTreeSet::new();
    let mut lines = 0;
    for key in aws.all_keys("system_log/").await {
        for line in gunzip_lines(&aws.object(&key).await) {
            lines += 1;
            seen.insert(line["uuid"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(lines, seen.len(), "no event twice");
    assert_eq!(seen.len(), sim.system_log().events().len(), "every event");
    println!(
        "system log continuation: {} events in {} invocations",
        seen.len(),
        replies.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_reads_again_exactly_the_parents_left_unread() {
    // The first user's factors fail both tries of the first invocation (3 attempts each),
    // then Okta recovers: the continuation reads that user again, and only once more.
    let config = shared_org(400).with_latency(Duration::from_millis(20));
    let (TestOrg { sim, aws, rt }, queue) = org_with_message(config, &message("acme")).await;
    let data = &sim.dataset();
    let victim = data
        .users
        .iter()
        .find(|u| {
            u["status"] != "DEPROVISIONED" && !data.factors[u["id"].as_str().unwrap()].is_empty()
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{victim}/factors");
    sim.faults().fail_next(&format!("{path}$"), 500, 6);

    let replies = queue.drain(&rt, &USERS, Duration::from_secs(3)).await;
    assert!(
        replies.len() >= 2,
        "continued: {} invocations",
        replies.len()
    );
    let factors = aws.manifests("user_factors", "acme").await;
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0].status, Status::Complete, "{:?}", factors[0]);
    assert!(factors[0].unread.is_empty(), "{:?}", factors[0]);
    let lines = aws.lines(&factors[0]).await;
    let keys: BTreeSet<(String, String)> = lines
        .iter()
        .map(|f| {
            (
                f["userId"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(keys.len(), lines.len(), "no factor twice");
    let of_victim = keys.iter().filter(|(u, _)| *u == victim).count();
    assert_eq!(
        of_victim,
        data.factors[&victim].len(),
        "the victim's factors, once"
    );
    // Six failed attempts, then the continuation's one request: nothing read twice.
    assert_eq!(sim.stats().server_errors, 6);
}
