//! Injected server errors, dropped connections, foreign next links and latency.

use std::time::{Duration, Instant};

use okta_sim::{SimConfig, Simulator};

use crate::helpers::{body, get, http, link, ssws};

#[tokio::test]
async fn fail_next_serves_server_errors_then_recovers() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    sim.faults().fail_next("/api/v1/users", 500, 2);
    sim.faults().fail_next("/api/v1/users", 503, 1);
    let users = format!("{}/api/v1/users", sim.url());
    for status in [500, 500, 503] {
        let response = get(&users, &ssws()).await;
        assert_eq!(response.status(), status);
        assert!(response.headers().contains_key("x-rate-limit-remaining"));
        assert_eq!(body(response).await["errorCode"], "E0000009");
    }
    assert_eq!(get(&users, &ssws()).await.status(), 200);
    assert_eq!(sim.stats().server_errors, 3);

    sim.faults().fail_next("/api/v1/users", 502, 5);
    sim.faults().clear();
    assert_eq!(get(&users, &ssws()).await.status(), 200, "cleared");
}

#[tokio::test]
async fn error_rates_fail_a_share_of_requests() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    sim.faults().error_rate("/api/v1/users", 0.5, 502);
    let users = format!("{}/api/v1/users", sim.url());
    let mut failed = 0;
    for _ in 0..60 {
        if get(&users, &ssws()).await.status() == 502 {
            failed += 1;
        }
    }
    assert!((15..=45).contains(&failed), "{failed} of 60");
    sim.faults().error_rate("/api/v1/users", 0.0, 502);
    assert_eq!(get(&users, &ssws()).await.status(), 200);
}

#[tokio::test]
async fn dropped_connections_break_the_body() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    sim.faults().drop_connections("/api/v1/users", 1);
    let users = format!("{}/api/v1/users", sim.url());
    let outcome = match http()
        .get(&users)
        .header("authorization", ssws())
        .send()
        .await
    {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the client sees a broken connection");
    assert_eq!(get(&users, &ssws()).await.status(), 200, "once only");
}

#[tokio::test]
async fn foreign_next_links_point_elsewhere_and_record_credentials() {
    let sim = Simulator::start(SimConfig::small().with_users(30))
        .await
        .unwrap();
    sim.faults().foreign_next_link("/api/v1/users");
    let response = get(&format!("{}/api/v1/users?limit=10", sim.url()), &ssws()).await;
    let next = link(&response, "next").unwrap();
    assert!(next.starts_with(&sim.foreign_url()), "{next}");
    assert!(!next.starts_with(&sim.url()));

    // A careless client follows it with its token; a careful one without.
    let careless = get(&next, &ssws()).await;
    assert_eq!(body(careless).await, serde_json::json!([]));
    http().get(&next).send().await.unwrap();
    let stats = sim.stats();
    assert_eq!(stats.foreign_requests.len(), 2);
    assert_eq!(stats.leaked_credentials().len(), 1);
    assert!(stats.foreign_requests[0].path.starts_with("/api/v1/users?"));
    assert_eq!(stats.requests, 1, "the org origin saw only the first page");
}

#[tokio::test]
async fn latency_delays_every_response() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_users(5)
            .with_latency(Duration::from_millis(150)),
    )
    .await
    .unwrap();
    let started = Instant::now();
    get(&format!("{}/api/v1/users", sim.url()), &ssws()).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = Simulator::start(SimConfig::small().with_users(5))
        .await
        .unwrap();
    let url = format!("{}/api/v1/users", sim.url());
    assert_eq!(get(&url, &ssws()).await.status(), 200);
    sim.shutdown().await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}
