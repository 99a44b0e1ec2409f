//! When Okta or the configuration misbehaves: rate limits, server errors, foreign links, bad
//! org URLs, deadlines. One tenant's trouble never stops the others (broken secrets and the
//! proof that none leaks: `secrets.rs`).

use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::{Context, LambdaEvent};
use okta_ingest::lambda;
use okta_ingest::manifest::Status;
use okta_ingest::resources::USERS;
use okta_ingest::router::Reply;
use okta_ingest_tests::{TestAws, TestOrg, invoke, scheduled_event, secret, served, test_options};
use okta_sim::{SimConfig, Simulator};
use serde_json::json;

const TOKEN: &str = okta_sim::API_TOKEN;

#[tokio::test]
async fn a_429_is_waited_out_until_its_reset() {
    let TestOrg { sim, rt, .. } = TestOrg::start(SimConfig::small().with_users(50)).await;
    sim.faults()
        .rate_limit_next("/api/v1/users", 2, Duration::from_secs(2));
    let started = Instant::now();
    let summary = invoke(&rt, &USERS, json!({"tenant": "acme"})).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    assert_eq!(summary.tenants[0].requests.rate_limited, 2);
    assert_eq!(sim.stats().rate_limited, 2);
    // Both 429s say "reset in ~2 s": the client waits that out rather than hammering.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let TestOrg { sim, rt, .. } = TestOrg::start(SimConfig::small().with_users(50)).await;
    sim.faults().fail_next("/api/v1/users", 503, 2);
    let summary = invoke(&rt, &USERS, json!({"tenant": "acme"})).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    assert!(summary.tenants[0].requests.retries >= 2);
    assert_eq!(sim.stats().server_errors, 2);
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let TestOrg { sim, rt, .. } = TestOrg::start(SimConfig::small().with_users(50)).await;
    sim.faults().drop_connections("/api/v1/users", 2);
    let summary = invoke(&rt, &USERS, json!({"tenant": "acme"})).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
}

#[tokio::test]
async fn exhausted_retries_leave_a_partial_run_with_a_clear_reason() {
    let TestOrg { sim, aws, rt } = TestOrg::start(
        SimConfig::small()
            .with_users(300)
            .with_latency(Duration::from_millis(5)),
    )
    .await;
    // Okta breaks down for factors once some of them have been served.
    let breakdown = async {
        served(&sim, "/api/v1/users/{id}/factors", 40).await;
        sim.faults().error_rate("/api/v1/users/", 1.0, 500);
    };
    let (summary, ()) = tokio::join!(invoke(&rt, &USERS, json!({"tenant": "acme"})), breakdown);
    let [users, factors] = &summary.tenants[0].resources[..] else {
        panic!("{summary:?}")
    };
    assert_eq!(users.status, Status::Complete);
    assert_eq!(factors.status, Status::Partial, "{factors:?}");
    let reason = factors.reason.as_deref().unwrap();
    assert!(
        reason.contains("HTTP 500") && reason.contains("3 attempts"),
        "{reason}"
    );
    assert_eq!(summary.tenants[0].status, Status::Partial);
    // Every factor that was fetched is written and listed; the manifest says it is not whole.
    let manifest = &aws.manifests("user_factors", "acme").await[0];
    assert_eq!(manifest.status, Status::Partial);
    assert!(manifest.records > 0);
    assert_eq!(aws.lines(manifest).await.len() as u64, manifest.records);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_without_sending_credentials() {
    let TestOrg { sim, rt, .. } = TestOrg::start(SimConfig::small().with_users(450)).await;
    sim.faults().foreign_next_link("/api/v1/users");
    let summary = invoke(&rt, &USERS, json!({"tenant": "acme", "resources": "users"})).await;
    let users = &summary.tenants[0].resources[0];
    assert_eq!(users.status, Status::Partial);
    assert!(
        users.reason.as_deref().unwrap().contains("another origin"),
        "{users:?}"
    );
    assert!(
        sim.stats().foreign_requests.is_empty(),
        "nothing was sent there at all"
    );
}

#[tokio::test]
async fn org_urls_are_refused_unless_https_on_a_domain() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    let aws = TestAws::new().await;
    let ssws = json!({"type": "ssws", "token": TOKEN});
    aws.put_tenant("plain-http", &secret(&sim.url(), ssws.clone()))
        .await;
    let port = sim.url().rsplit(':').next().unwrap().to_owned();
    aws.put_tenant(
        "ip-literal",
        &secret(&format!("https://127.0.0.1:{port}"), ssws),
    )
    .await;
    // Without the loopback opt-in, even the simulator's own http URL is refused.
    let options = okta_ingest::runtime::Options {
        allow_http_loopback: false,
        ..test_options()
    };
    let rt = aws.runtime(options).await;
    let event = LambdaEvent::new(scheduled_event(), Context::default());
    let err = lambda::invoke(&rt, &USERS, event)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tenant plain-http") && err.contains("must use https"),
        "{err}"
    );
    assert!(
        err.contains("tenant ip-literal") && err.contains("not an IP address"),
        "{err}"
    );
    assert_eq!(sim.stats().requests, 0, "no request was made");
}

#[tokio::test]
async fn an_org_name_that_resolves_to_loopback_gets_nothing_without_the_opt_in() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    let port = sim.url().rsplit(':').next().unwrap().to_owned();
    let aws = TestAws::new().await;
    let ssws = json!({"type": "ssws", "token": TOKEN});
    // A name, not an IP literal: it passes the org URL check and only resolving it shows
    // where it points.
    aws.put_tenant(
        "named-loopback",
        &secret(&format!("https://localhost:{port}"), ssws.clone()),
    )
    .await;
    aws.put_tenant(
        "loopback-opt-in",
        &secret(&format!("http://localhost:{port}"), ssws),
    )
    .await;
    let options = okta_ingest::runtime::Options {
        allow_http_loopback: false,
        ..test_options()
    };
    let rt = aws.runtime(options).await;
    let event = LambdaEvent::new(json!({"tenant": "named-loopback"}), Context::default());
    let err = lambda::invoke(&rt, &USERS, event)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("resolves to a non-public address") && err.contains("127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "{err}");
    assert_eq!(sim.stats().requests, 0, "nothing reached the org");

    // With the opt-in, the same name reaches the simulator (over http, as the opt-in allows).
    let rt = aws.runtime(test_options()).await;
    let allowed = invoke(&rt, &USERS, json!({"tenant": "loopback-opt-in"})).await;
    assert_eq!(allowed.status, Status::Complete, "{allowed:?}");
    assert!(sim.stats().path("/api/v1/users") > 0);
}

#[tokio::test]
async fn near_the_deadline_new_work_stops_and_the_run_is_partial() {
    let TestOrg { sim: _sim, aws, rt } = TestOrg::start(
        SimConfig::small()
            .with_users(1000)
            .with_latency(Duration::from_millis(200)),
    )
    .await;
    let mut context = Context::default();
    let deadline = SystemTime::now() + Duration::from_secs(4);
    context.deadline = deadline
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let reply = lambda::invoke(
        &rt,
        &USERS,
        LambdaEvent::new(json!({"tenant": "acme"}), context),
    )
    .await;
    let Ok(Reply::Run(summary)) = reply else {
        panic!("{reply:?}")
    };
    assert!(SystemTime::now() < deadline, "finished before the deadline");
    // A thousand factor calls at 200 ms each cannot finish in 4 s.
    let factors = &summary.tenants[0].resources[1];
    assert_eq!(factors.resource, "user_factors");
    assert_eq!(factors.status, Status::Partial, "{factors:?}");
    assert!(factors.reason.as_deref().unwrap().contains("deadline"));
    // What was written is listed and readable.
    let manifest = &aws.manifests("user_factors", "acme").await[0];
    assert_eq!(aws.lines(manifest).await.len() as u64, manifest.records);
}
