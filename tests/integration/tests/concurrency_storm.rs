//! A storm of Okta's concurrency 429s (`X-Rate-Limit-Limit: 0`) during a full users run that is
//! paced by its buckets as well: the run completes, and no single wait (each is logged with its
//! `wait_ms`) is longer than a bucket's window. Alone in its test binary so that the log capture
//! sees every event (see `LogCapture`).

use std::time::Duration;

use okta_ingest::manifest::Status;
use okta_ingest_tests::{LogCapture, TestOrg};
use okta_sim::{Bucket, SimConfig};

const WINDOW: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "current_thread")]
async fn a_concurrency_429_storm_on_a_full_users_run_completes_and_no_wait_outlasts_the_window() {
    let (logs, _guard) = LogCapture::start();
    // The factor calls need about three windows of our half of 200.
    let org = TestOrg::start(
        SimConfig::small()
            .with_users(250)
            .with_rate_limit(Bucket::Users, 200)
            .with_rate_limit_window(WINDOW),
    )
    .await;
    org.sim.faults().concurrency_limit("/api/v1/", 0.05);
    let summary = tokio::time::timeout(
        Duration::from_secs(90),
        org.run(&okta_ingest::resources::USERS),
    )
    .await
    .expect("the run ends");
    assert_eq!(summary.status, Status::Complete, "{summary:?}");
    let [users, factors] = &summary.tenants[0].resources[..] else {
        panic!("{summary:?}")
    };
    assert_eq!(users.records as usize, org.sim.dataset().users.len());
    assert!(factors.records > 0);
    let stats = org.sim.stats();
    assert!(stats.concurrency_limited >= 5, "a storm: {stats:?}");
    assert_eq!(
        summary.tenants[0].requests.rate_limited, stats.rate_limited,
        "every 429 was seen and counted"
    );

    // Okta's headers are whole seconds (Reset rounded up, Date down): a window of 2 s can read
    // as 3 s, plus the spread that keeps clients apart (at most 100 ms when pacing, 500 ms
    // after a 429).
    let longest_allowed = WINDOW + Duration::from_millis(1_500);
    let waits: Vec<u64> = logs
        .text()
        .split("wait_ms=")
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().expect("wait_ms is a number")
        })
        .collect();
    assert!(!waits.is_empty(), "the run waited: paced and backed off");
    let longest = waits.iter().max().copied().unwrap_or_default();
    assert!(
        Duration::from_millis(longest) <= longest_allowed,
        "the longest single wait was {longest} ms: {waits:?}"
    );
}
