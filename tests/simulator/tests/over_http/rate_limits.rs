//! Per-bucket windows, their headers, and the 429s.

use std::time::Duration;

use okta_sim::{Bucket, SimConfig, Simulator};

use crate::helpers::{body, get, header, ssws};

fn date_seconds(response: &reqwest::Response) -> i64 {
    chrono::DateTime::parse_from_rfc2822(&header(response, "date"))
        .unwrap()
        .timestamp()
}

fn number(response: &reqwest::Response, name: &str) -> i64 {
    header(response, name).parse().unwrap()
}

#[tokio::test]
async fn a_bucket_refuses_past_its_limit_until_its_window_ends() {
    let config = SimConfig::small()
        .with_users(10)
        .with_rate_limit(Bucket::UsersList, 3)
        .with_rate_limit_window(Duration::from_secs(2));
    let sim = Simulator::start(config).await.unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    let mut resets = Vec::new();
    for remaining in [2, 1, 0] {
        let response = get(&users, &ssws()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(number(&response, "x-rate-limit-limit"), 3);
        assert_eq!(number(&response, "x-rate-limit-remaining"), remaining);
        resets.push(number(&response, "x-rate-limit-reset"));
    }
    assert!(
        resets.windows(2).all(|w| w[0] == w[1]),
        "one window: {resets:?}"
    );

    // Other buckets are untouched.
    let factors = format!(
        "{}/api/v1/users/{}/factors",
        sim.url(),
        sim.dataset().users[0]["id"].as_str().unwrap()
    );
    assert_eq!(get(&factors, &ssws()).await.status(), 200);

    let refused = get(&users, &ssws()).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(number(&refused, "x-rate-limit-remaining"), 0);
    let reset = number(&refused, "x-rate-limit-reset");
    let date = date_seconds(&refused);
    assert!(
        reset > date && reset - date <= 3,
        "reset {reset} date {date}"
    );
    assert_eq!(body(refused).await["errorCode"], "E0000047");
    assert_eq!(sim.stats().rate_limited, 1);

    // Waiting as a client would (Reset − Date) is always enough.
    tokio::time::sleep(Duration::from_secs((reset - date) as u64)).await;
    let again = get(&users, &ssws()).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        number(&again, "x-rate-limit-remaining"),
        2,
        "a fresh window"
    );
}

#[tokio::test]
async fn injected_429s_announce_their_own_reset() {
    let sim = Simulator::start(SimConfig::small().with_users(10))
        .await
        .unwrap();
    sim.faults()
        .rate_limit_next("/api/v1/users", 2, Duration::from_secs(5));
    let users = format!("{}/api/v1/users", sim.url());
    for _ in 0..2 {
        let response = get(&users, &ssws()).await;
        assert_eq!(response.status(), 429);
        assert_eq!(number(&response, "x-rate-limit-remaining"), 0);
        let ahead = number(&response, "x-rate-limit-reset") - date_seconds(&response);
        assert!((5..=6).contains(&ahead), "{ahead}");
        assert_eq!(body(response).await["errorCode"], "E0000047");
    }
    assert_eq!(get(&users, &ssws()).await.status(), 200);
    assert_eq!(sim.stats().rate_limited, 2);
}

#[tokio::test]
async fn concurrency_429s_say_limit_0_and_leave_the_bucket_alone() {
    let config = SimConfig::small()
        .with_users(10)
        .with_rate_limit(Bucket::UsersList, 5)
        .with_rate_limit_window(Duration::from_secs(30));
    let sim = Simulator::start(config).await.unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    assert_eq!(
        number(&get(&users, &ssws()).await, "x-rate-limit-remaining"),
        4
    );

    sim.faults().concurrency_limit("/api/v1/users", 1.0);
    for _ in 0..3 {
        let refused = get(&users, &ssws()).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(number(&refused, "x-rate-limit-limit"), 0);
        assert_eq!(number(&refused, "x-rate-limit-remaining"), 0);
        // Reset is Okta's estimate: here the end of the bucket's current window.
        let ahead = number(&refused, "x-rate-limit-reset") - date_seconds(&refused);
        assert!((1..=31).contains(&ahead), "{ahead}");
        assert_eq!(body(refused).await["errorCode"], "E0000047");
    }
    sim.faults().concurrency_limit("/api/v1/users", 0.0);
    let served = get(&users, &ssws()).await;
    assert_eq!(
        number(&served, "x-rate-limit-remaining"),
        3,
        "the refused requests were not charged"
    );
    let stats = sim.stats();
    assert_eq!((stats.rate_limited, stats.concurrency_limited), (3, 3));
}

#[tokio::test]
async fn requests_over_the_concurrency_limit_are_refused_while_the_others_are_served() {
    let config = SimConfig::small()
        .with_users(10)
        .with_concurrency_limit(2)
        .with_latency(Duration::from_millis(300));
    let sim = Simulator::start(config).await.unwrap();
    let users = format!("{}/api/v1/users", sim.url());
    let token = ssws();
    let responses = futures::future::join_all((0..5).map(|_| get(&users, &token))).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 429, 429, 429]);
    for refused in responses.iter().filter(|r| r.status() == 429) {
        assert_eq!(number(refused, "x-rate-limit-limit"), 0);
    }
    assert_eq!(sim.stats().concurrency_limited, 3);
    // One at a time is always served.
    assert_eq!(get(&users, &ssws()).await.status(), 200);
}

#[tokio::test]
async fn the_apps_listing_and_every_apps_sub_resource_share_one_bucket() {
    let config = SimConfig::small()
        .with_apps(3)
        .with_rate_limit(Bucket::Apps, 20)
        .with_rate_limit_window(Duration::from_secs(30));
    let sim = Simulator::start(config).await.unwrap();
    let app = sim.dataset().apps[0]["id"].as_str().unwrap().to_owned();
    let paths = [
        "/api/v1/apps".to_owned(),
        format!("/api/v1/apps/{app}/users"),
        format!("/api/v1/apps/{app}/groups"),
        format!("/api/v1/apps/{app}/grants"),
    ];
    for (used, path) in paths.iter().enumerate() {
        let response = get(&format!("{}{path}", sim.url()), &ssws()).await;
        assert_eq!(number(&response, "x-rate-limit-limit"), 20, "{path}");
        assert_eq!(
            number(&response, "x-rate-limit-remaining"),
            20 - 1 - used as i64,
            "{path} counts against the same bucket"
        );
    }
}
