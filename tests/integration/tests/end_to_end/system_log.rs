//! The System Log: every event exactly once across repeated runs, late events, faults, a run
//! killed mid-way, overlapping invocations and refused cursors; backfills beside the cursor.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lambda_runtime::{Context, LambdaEvent};
use okta_ingest::lambda;
use okta_ingest::manifest::Status;
use okta_ingest::resources::LOGS;
use okta_ingest::router::Reply;
use okta_ingest::runtime::Runtime;
use okta_ingest::summary::RunSummary;
use okta_ingest_tests::{TestAws, TestOrg, gunzip_lines, invoke};
use okta_sim::{OAuthClient, SimConfig, Simulator};
use serde_json::{Value, json};

async fn run(rt: &Runtime) -> RunSummary {
    invoke(rt, &LOGS, json!({"tenant": "acme"})).await
}

fn system_log(summary: &RunSummary) -> &okta_ingest::summary::ResourceSummary {
    &summary.tenants[0].resources[0]
}

/// Every line of a resource in the bucket, whatever run wrote it, with the key it is in.
async fn delivered(aws: &TestAws, resource: &str) -> Vec<(String, Value)> {
    let prefix = format!("{resource}/");
    aws.objects()
        .await
        .into_iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .flat_map(|(key, body)| {
            gunzip_lines(&body)
                .into_iter()
                .map(move |l| (key.clone(), l))
        })
        .collect()
}

/// The bucket holds exactly the simulator's events: none missing, none twice, each unchanged
/// and in the partition of its own `published` hour; and their OCSF records alike, in parts of
/// the same names.
async fn assert_exactly_once(aws: &TestAws, sim: &Simulator) {
    let lines = delivered(aws, "system_log").await;
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let events: BTreeMap<String, Value> = sim
        .system_log()
        .events()
        .into_iter()
        .map(|e| (e["uuid"].as_str().unwrap().to_owned(), e))
        .collect();
    for (key, line) in &lines {
        let uuid = line["uuid"].as_str().unwrap();
        *seen.entry(uuid.to_owned()).or_default() += 1;
        assert_eq!(Some(line), events.get(uuid), "{uuid} unchanged");
        let published: DateTime<Utc> = line["published"].as_str().unwrap().parse().unwrap();
        let partition = format!(
            "dt={}/hour={}/",
            published.format("%Y-%m-%d"),
            published.format("%H")
        );
        assert!(
            key.contains(&partition),
            "{uuid} published {published} is in {key}"
        );
    }
    let twice: Vec<_> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(u, _)| u)
        .collect();
    assert!(twice.is_empty(), "delivered twice: {twice:?}");
    let missing: Vec<_> = events.keys().filter(|u| !seen.contains_key(*u)).collect();
    assert!(
        missing.is_empty(),
        "{} events missing, e.g. {:?}",
        missing.len(),
        missing.first()
    );

    let key_of: BTreeMap<&str, &str> = lines
        .iter()
        .map(|(key, line)| (line["uuid"].as_str().unwrap(), key.as_str()))
        .collect();
    let records = delivered(aws, "system_log_ocsf").await;
    let mut mapped: BTreeMap<String, u32> = BTreeMap::new();
    for (key, record) in &records {
        let uuid = record["metadata"]["original_event_uid"].as_str().unwrap();
        *mapped.entry(uuid.to_owned()).or_default() += 1;
        // Where the event is, under the same part name.
        let raw_key = key.replacen("system_log_ocsf/", "system_log/", 1);
        assert_eq!(key_of.get(uuid), Some(&raw_key.as_str()), "{uuid}'s record");
    }
    assert_eq!(mapped, seen, "one OCSF record per event delivered, no more");
}

#[tokio::test]
async fn repeated_runs_while_events_arrive_deliver_every_event_once() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(2_500)).await;
    let first = run(&rt).await;
    assert_eq!(system_log(&first).status, Status::Complete, "{first:?}");
    assert_eq!(system_log(&first).records, 2_500);
    // Two full pages and a short one: one request per 1,000 events, no extra empty poll.
    assert_eq!(system_log(&first).requests.requests, 3);
    assert!(system_log(&first).notes.iter().any(|n| n == "caught up"));

    sim.system_log().append_events(1_480);
    // Late events: published half an hour ago, visible only now, behind newer events.
    sim.system_log()
        .append_late_events(20, Duration::from_secs(1800));
    let second = run(&rt).await;
    assert_eq!(system_log(&second).records, 1_500);
    assert_eq!(system_log(&second).requests.requests, 2);
    assert!(system_log(&second).lag_seconds.unwrap() < 60);

    sim.system_log().append_events(700);
    let third = run(&rt).await;
    assert_eq!(system_log(&third).records, 700);
    assert_eq!(system_log(&third).requests.requests, 1);
    // Nothing new: one request, nothing written.
    assert_eq!(system_log(&run(&rt).await).records, 0);
    assert_exactly_once(&aws, &sim).await;
}

#[tokio::test]
async fn server_errors_429s_and_expiring_tokens_lose_and_duplicate_nothing() {
    let TestOrg { sim, aws, rt } = TestOrg::with_auth(
        SimConfig::small()
            .with_log_events(3_000)
            .with_client(OAuthClient::secret("0oa-logs", "logs-secret-value")),
        json!({"type": "oauth2", "client_id": "0oa-logs", "client_secret": "logs-secret-value"}),
    )
    .await;
    sim.faults().error_rate("/api/v1/logs", 0.05, 503);
    for round in 0..5 {
        sim.system_log().append_events(900 + round * 150);
        sim.system_log()
            .append_late_events(5, Duration::from_secs(600));
        match round {
            1 => sim
                .faults()
                .rate_limit_next("/api/v1/logs", 3, Duration::from_secs(1)),
            2 => sim.faults().expire_tokens(),
            _ => {}
        }
        run(&rt).await;
    }
    sim.faults().clear();
    let last = run(&rt).await;
    assert_eq!(system_log(&last).status, Status::Complete, "{last:?}");
    assert!(
        sim.stats().server_errors > 0 && sim.stats().rate_limited > 0,
        "faults happened"
    );
    assert_exactly_once(&aws, &sim).await;
}

fn with_deadline(payload: Value, after: Duration) -> LambdaEvent<Value> {
    let mut context = Context::default();
    let deadline = SystemTime::now() + after;
    context.deadline = deadline
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    LambdaEvent::new(payload, context)
}

#[tokio::test]
async fn a_run_killed_mid_way_is_resumed_without_duplicates() {
    let TestOrg { sim, aws, rt } = TestOrg::start(
        SimConfig::small()
            .with_log_events(8_000)
            .with_latency(Duration::from_millis(150)),
    )
    .await;
    let started = std::time::Instant::now();
    // The run's deadline is 6 s away, so its lease lasts 11 s; it is killed once parts exist.
    let doomed = lambda::invoke(
        &rt,
        &LOGS,
        with_deadline(json!({"tenant": "acme"}), Duration::from_secs(6)),
    );
    let parts_exist = async {
        while aws.keys("system_log/").await.len() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        _ = doomed => panic!("the run should have been killed before it finished"),
        () = parts_exist => {}
    }
    // Killed: no cleanup ran. Its lease still holds the tenant.
    let blocked = run(&rt).await;
    assert_eq!(system_log(&blocked).status, Status::Skipped, "{blocked:?}");
    assert!(
        system_log(&blocked)
            .reason
            .as_deref()
            .unwrap()
            .contains("holds the lease")
    );

    tokio::time::sleep(
        Duration::from_secs(11).saturating_sub(started.elapsed()) + Duration::from_secs(1),
    )
    .await;
    sim.system_log().append_events(300);
    let resumed = run(&rt).await;
    assert_eq!(system_log(&resumed).status, Status::Complete, "{resumed:?}");
    assert!(
        system_log(&resumed)
            .notes
            .iter()
            .any(|n| n.contains("continued the unconfirmed parts")),
        "{resumed:?}"
    );
    assert_exactly_once(&aws, &sim).await;
}

#[tokio::test]
async fn two_invocations_at_once_poll_once() {
    let TestOrg { sim, aws, rt } = TestOrg::start(
        SimConfig::small()
            .with_log_events(6_000)
            .with_latency(Duration::from_millis(20)),
    )
    .await;
    let (a, b) = tokio::join!(run(&rt), run(&rt));
    let mut statuses = [system_log(&a).status, system_log(&b).status];
    statuses.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(statuses, [Status::Complete, Status::Skipped], "{a:?} {b:?}");
    assert_eq!(
        sim.stats().path("/api/v1/logs"),
        7,
        "only the lease holder polled"
    );
    assert_exactly_once(&aws, &sim).await;
}

#[tokio::test]
async fn a_lease_held_elsewhere_is_refused_saying_who_until_when_and_the_way_out() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(10)).await;
    let until = Utc::now() + chrono::Duration::minutes(10);
    let lease = "_state/system_log/tenant=acme/lease.json";
    // In S3 nothing tells whether the holder still runs: whoever holds it is waited for.
    aws.put(
        lease,
        json!({"holder": "20261204T120000Z-other", "expires_at": until})
            .to_string()
            .into_bytes(),
    )
    .await;
    let summary = run(&rt).await;
    let log = system_log(&summary);
    assert_eq!(log.status, Status::Skipped, "{summary:?}");
    let reason = log.reason.as_deref().unwrap();
    let until = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let location = format!("s3://{}/out/{lease}", aws.bucket);
    for said in [
        "20261204T120000Z-other",
        until.as_str(),
        "wait until",
        location.as_str(),
    ] {
        assert!(reason.contains(said), "{said:?} not in {reason}");
    }
    assert_eq!(sim.stats().path("/api/v1/logs"), 0);
}

#[tokio::test]
async fn a_refused_cursor_restarts_from_the_watermark_without_duplicates() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(1_500)).await;
    run(&rt).await;
    sim.system_log().append_events(400);
    sim.system_log().invalidate_cursors();
    let restarted = run(&rt).await;
    let log = system_log(&restarted);
    assert_eq!(log.status, Status::Complete, "{restarted:?}");
    assert!(
        log.notes
            .iter()
            .any(|n| n.contains("refused the stored cursor")),
        "{log:?}"
    );
    assert_exactly_once(&aws, &sim).await;
}

#[tokio::test]
async fn a_cursor_for_another_origin_is_not_followed_and_polling_restarts() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(1_500)).await;
    run(&rt).await;
    sim.system_log().append_events(400);
    // The org URL changed since the cursor was stored (here: the cursor moved away from it).
    let key = "_state/system_log/tenant=acme/checkpoint.json";
    let mut checkpoint: Value = serde_json::from_slice(&aws.object(key).await).unwrap();
    let cursor = checkpoint["cursor"].as_str().unwrap().to_owned();
    checkpoint["cursor"] = json!(cursor.replace(&sim.url(), &sim.foreign_url()));
    aws.put(key, serde_json::to_vec(&checkpoint).unwrap()).await;

    let restarted = run(&rt).await;
    let log = system_log(&restarted);
    assert_eq!(log.status, Status::Complete, "{restarted:?}");
    assert!(
        log.notes.iter().any(|n| n.contains("another origin")),
        "{log:?}"
    );
    assert!(
        sim.stats().foreign_requests.is_empty(),
        "nothing went to the old origin"
    );
    assert_exactly_once(&aws, &sim).await;
}

#[tokio::test]
async fn a_backfill_writes_its_window_and_leaves_the_cursor_alone() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(3_000)).await;
    run(&rt).await;
    let checkpoint = |objects: &[(String, Vec<u8>)]| {
        objects
            .iter()
            .find(|(k, _)| k.ends_with("checkpoint.json"))
            .map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap()["cursor"].clone())
    };
    let before = checkpoint(&aws.objects().await);

    let until = Utc::now() - chrono::Duration::hours(12);
    let since = until - chrono::Duration::hours(24);
    let payload =
        json!({"tenant": "acme", "since": since.to_rfc3339(), "until": until.to_rfc3339()});
    let backfill = invoke(&rt, &LOGS, payload).await;
    let log = system_log(&backfill);
    assert_eq!(log.status, Status::Complete, "{backfill:?}");
    let in_window = sim
        .system_log()
        .events()
        .iter()
        .filter(|e| {
            let p: DateTime<Utc> = e["published"].as_str().unwrap().parse().unwrap();
            p >= since && p < until
        })
        .count();
    assert!(in_window > 100);
    assert_eq!(log.records as usize, in_window);
    assert!(
        log.notes
            .iter()
            .any(|n| n.contains("overlaps live ingestion")),
        "{log:?}"
    );
    assert_eq!(
        checkpoint(&aws.objects().await),
        before,
        "the live cursor did not move"
    );
}

#[tokio::test]
async fn a_backfill_up_to_now_stops_short_of_events_okta_may_still_delay() {
    // 2,000 events over the last hour: about 170 in its last five minutes.
    let config = SimConfig {
        log_history: Duration::from_secs(3600),
        ..SimConfig::small().with_log_events(2_000)
    };
    let TestOrg { sim, aws, rt } = TestOrg::start(config).await;
    sim.system_log().append_events(20);
    let since = Utc::now() - chrono::Duration::minutes(30);
    let asked = Utc::now();
    let payload =
        json!({"tenant": "acme", "since": since.to_rfc3339(), "until": asked.to_rfc3339()});
    let backfill = invoke(&rt, &LOGS, payload).await;
    let finished = Utc::now();
    let log = system_log(&backfill);
    assert_eq!(log.status, Status::Complete, "{backfill:?}");
    assert!(
        log.notes
            .iter()
            .any(|n| n.contains("until moved back") && n.contains("delayed")),
        "{log:?}"
    );
    // The window ended 5 minutes before the run: no earlier than `asked`, no later than
    // `finished`, less 5 minutes.
    let lag = chrono::Duration::minutes(5);
    let published =
        |e: &Value| -> DateTime<Utc> { e["published"].as_str().unwrap().parse().unwrap() };
    let landed: Vec<DateTime<Utc>> = delivered(&aws, "system_log")
        .await
        .iter()
        .map(|(_, e)| published(e))
        .collect();
    let events = sim.system_log().events();
    let settled = events
        .iter()
        .map(published)
        .filter(|p| *p >= since && *p < asked - lag)
        .count();
    assert!(settled > 100);
    assert_eq!(landed.iter().filter(|p| **p < asked - lag).count(), settled);
    assert!(
        landed.iter().all(|p| *p < finished - lag),
        "nothing from the last 5 minutes"
    );
    let recent = events
        .iter()
        .map(published)
        .filter(|p| *p >= finished - lag)
        .count();
    assert!(recent >= 20, "there were recent events to leave out");
}

#[tokio::test]
async fn a_backfill_beyond_retention_is_refused_with_the_way_out() {
    let TestOrg {
        sim: _sim,
        aws: _aws,
        rt,
    } = TestOrg::start(SimConfig::small().with_log_events(10)).await;
    let since = Utc::now() - chrono::Duration::days(120);
    let payload =
        json!({"tenant": "acme", "since": since.to_rfc3339(), "until": Utc::now().to_rfc3339()});
    let reply = lambda::invoke(&rt, &LOGS, LambdaEvent::new(payload, Context::default())).await;
    let err = match reply {
        Err(e) => e.to_string(),
        Ok(Reply::Run(summary)) => system_log(&summary).reason.clone().unwrap(),
        Ok(other) => panic!("{other:?}"),
    };
    assert!(err.contains("90 days"), "{err}");
}
