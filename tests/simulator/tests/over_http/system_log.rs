//! The System Log: polling in persistence order with endless next links, late events,
//! bounded windows, cursor invalidation and live generation.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use okta_sim::{SimConfig, Simulator};
use serde_json::Value;

use crate::helpers::{body, get, link, ssws};

/// One page: its events and its next link.
async fn page(url: &str) -> (Vec<Value>, Option<String>) {
    let response = get(url, &ssws()).await;
    assert_eq!(response.status(), 200, "{url}");
    let next = link(&response, "next");
    (body(response).await.as_array().unwrap().clone(), next)
}

/// Polls from `url` until a page comes back short; returns the events and the last next link.
async fn poll(url: &str, limit: usize) -> (Vec<Value>, String, usize) {
    let mut events = Vec::new();
    let mut url = url.to_owned();
    let mut requests = 0;
    loop {
        let (page, next) = page(&url).await;
        requests += 1;
        url = next.expect("polling always has a next link");
        let short = page.len() < limit;
        events.extend(page);
        if short {
            return (events, url, requests);
        }
    }
}

fn published(event: &Value) -> DateTime<Utc> {
    event["published"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn polling_returns_every_event_once_in_persistence_order_then_empty_pages_with_next() {
    let sim = Simulator::start(SimConfig::small().with_log_events(2_345))
        .await
        .unwrap();
    let url = format!("{}/api/v1/logs?sortOrder=ASCENDING&limit=1000", sim.url());
    let (events, next, requests) = poll(&url, 1000).await;
    assert_eq!(requests, 3);
    assert_eq!(
        events,
        sim.dataset().events(),
        "persistence order, nothing else"
    );
    let uuids: BTreeSet<_> = events.iter().map(|e| e["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), 2_345, "unique uuids");
    assert!(
        events
            .iter()
            .all(|e| e["published"].as_str().unwrap().len() == 24),
        "ms precision"
    );
    let out_of_order = events
        .windows(2)
        .filter(|w| published(&w[1]) < published(&w[0]))
        .count();
    assert!(out_of_order > 0, "some events were persisted late");
    let event_types: BTreeSet<_> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert!(event_types.len() >= 5, "{event_types:?}");

    assert!(next.starts_with(&format!("{}/api/v1/logs?", sim.url())));
    assert!(!next.contains("since="), "the cursor carries since on");
    let (empty, again) = page(&next).await;
    assert!(empty.is_empty());
    assert!(again.is_some(), "empty pages still have a next link");
}

#[tokio::test]
async fn late_events_appear_after_the_checkpoint_in_persistence_order() {
    let sim = Simulator::start(SimConfig::small().with_log_events(50))
        .await
        .unwrap();
    let log = sim.system_log();
    let url = format!("{}/api/v1/logs?limit=1000", sim.url());
    let (first, checkpoint, _) = poll(&url, 1000).await;
    assert_eq!(first.len(), 50);

    log.append_events(5);
    log.append_late_events(3, Duration::from_secs(600));
    let (fresh, next) = page(&checkpoint).await;
    assert_eq!(fresh.len(), 8);
    assert!(
        published(&fresh[5]) < published(&fresh[4]),
        "late events come last, published earlier"
    );
    assert_eq!(fresh[..], sim.dataset().events()[50..]);
    let (empty, _) = page(&next.unwrap()).await;
    assert!(empty.is_empty());

    // A new poll from a `since` later than the late events' publication skips them.
    let since = (published(&fresh[4]) - chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (recent, _) = page(&format!("{}/api/v1/logs?since={since}", sim.url())).await;
    assert_eq!(recent.len(), 5);
}

#[tokio::test]
async fn bounded_requests_filter_and_order_by_published_and_end() {
    let sim = Simulator::start(SimConfig::small().with_log_events(300))
        .await
        .unwrap();
    let all = sim.dataset().events();
    let mut by_time = all.clone();
    by_time.sort_by_key(published);
    let since = published(&by_time[50]);
    let until = published(&by_time[250]);
    let window: Vec<&Value> = by_time
        .iter()
        .filter(|e| published(e) >= since && published(e) < until)
        .collect();
    let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);

    let mut url = Some(format!(
        "{}/api/v1/logs?since={}&until={}&limit=60",
        sim.url(),
        fmt(since),
        fmt(until)
    ));
    let mut got = Vec::new();
    while let Some(current) = url {
        let (page, next) = page(&current).await;
        got.extend(page);
        url = next;
    }
    assert_eq!(got.len(), window.len());
    assert!(got.windows(2).all(|w| published(&w[0]) <= published(&w[1])));
    let got_ids: BTreeSet<_> = got
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_owned())
        .collect();
    let want_ids: BTreeSet<_> = window
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got_ids, want_ids);

    let (descending, next) = page(&format!(
        "{}/api/v1/logs?sortOrder=DESCENDING&limit=1000",
        sim.url()
    ))
    .await;
    assert_eq!(descending.len(), 300);
    assert!(next.is_none(), "a DESCENDING request is bounded");
    assert!(
        descending
            .windows(2)
            .all(|w| published(&w[0]) >= published(&w[1]))
    );
}

#[tokio::test]
async fn old_since_is_refused_big_limits_clamp_and_invalidated_cursors_fail() {
    let sim = Simulator::start(SimConfig::small().with_log_events(1_500))
        .await
        .unwrap();
    let old = (Utc::now() - chrono::Duration::days(181)).to_rfc3339();
    let response = get(
        &format!(
            "{}/api/v1/logs?since={}",
            sim.url(),
            old.replace('+', "%2B")
        ),
        &ssws(),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(body(response).await["errorCode"], "E0000053");

    let (events, next) = page(&format!("{}/api/v1/logs?limit=5000", sim.url())).await;
    assert_eq!(events.len(), 1000);
    let (default, _) = page(&format!("{}/api/v1/logs", sim.url())).await;
    assert_eq!(default.len(), 100);

    sim.system_log().invalidate_cursors();
    let response = get(&next.unwrap(), &ssws()).await;
    assert_eq!(response.status(), 400);
    assert_eq!(body(response).await["errorCode"], "E0000001");
}

#[tokio::test]
async fn the_background_generator_keeps_appending() {
    let sim = Simulator::start(
        SimConfig::small()
            .with_log_events(0)
            .with_log_events_per_second(100),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(550)).await;
    let appended = sim.system_log().len();
    assert!((30..=80).contains(&appended), "{appended}");
    let (events, _) = page(&format!("{}/api/v1/logs?limit=1000", sim.url())).await;
    assert!(events.len() >= appended);
    assert!(
        events
            .iter()
            .all(|e| published(e) > Utc::now() - chrono::Duration::seconds(5))
    );
}
