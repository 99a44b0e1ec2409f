//! A real org on a bad day, as issue #12 asks: the built-in admins group, a scoped admin,
//! member pages that time out, and Okta's concurrency 429s on 5 % of requests, while the run
//! is paced by its buckets. `--resources all` as the CLI runs it (no deadline) must complete
//! with nothing lost beyond the parents it names as excluded, send no more requests than the
//! same org without the faults (apart from the 429s, the timed-out attempts and the smaller
//! pages), and never wait on one bucket longer than its window. Alone in its test binary so
//! that the log capture sees every wait (see `LogCapture`).

use std::collections::BTreeMap;
use std::time::Duration;

use okta_ingest::manifest::Status;
use okta_ingest::summary::RunSummary;
use okta_ingest_tests::{LogCapture, TestOrg, run_like_the_cli};
use okta_sim::{Bucket, SimConfig};

const WINDOW: Duration = Duration::from_secs(2);
/// Member pages asking for more than this time out on groups bigger than it.
const TIMEOUT_ABOVE: usize = 60;

/// A mid-sized org with a scoped admin (two groups outside its role) and the built-in admins
/// group, whose factor calls need about three windows of our half of 200.
fn org() -> SimConfig {
    SimConfig::small()
        .with_users(250)
        .with_groups(30)
        .with_groups_outside_admin_scope(2)
        .with_rate_limit(Bucket::Users, 200)
        .with_rate_limit_window(WINDOW)
}

/// Records and requests per resource.
fn by_resource(summary: &RunSummary) -> BTreeMap<String, (u64, u64)> {
    summary.tenants[0]
        .resources
        .iter()
        .map(|r| (r.resource.clone(), (r.records, r.requests.requests)))
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_real_org_on_a_bad_day_completes_losing_only_the_excluded_and_never_waits_past_a_window()
{
    // The same org without the faults: what the run must match.
    let calm = TestOrg::start(org()).await;
    let calm_summary = run_like_the_cli(&calm.rt, "all", Duration::from_secs(240)).await;
    assert_eq!(calm_summary.status, Status::Complete, "{calm_summary:?}");
    let calm_requests = calm.sim.stats().requests;

    let (logs, _guard) = LogCapture::start();
    let stormy = TestOrg::start(org().with_member_page_timeout_above(TIMEOUT_ABOVE)).await;
    stormy.sim.faults().concurrency_limit("/api/v1/", 0.05);
    let summary = run_like_the_cli(&stormy.rt, "all", Duration::from_secs(240)).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");

    // Nothing lost: every resource has as many records as without the faults, and only the
    // built-in admins group and the two groups outside the role are left out, by name.
    let every = okta_ingest::resources::ALL
        .iter()
        .map(|g| g.resources.len())
        .sum::<usize>();
    assert_eq!(by_resource(&summary).keys().len(), every);
    for (resource, (records, _)) in by_resource(&summary) {
        assert_eq!(
            records,
            by_resource(&calm_summary)[&resource].0,
            "{resource}: records"
        );
    }
    let data = &stormy.sim.dataset();
    let members = stormy
        .aws
        .manifests("group_members", "acme")
        .await
        .remove(0);
    let mut want: Vec<&String> = data.groups_outside_admin_scope.iter().collect();
    want.extend(
        data.group_members
            .keys()
            .filter(|g| !data.serves_members(g)),
    );
    want.sort();
    let mut excluded: Vec<&String> = members.excluded.iter().map(|e| &e.id).collect();
    excluded.sort();
    assert_eq!(excluded, want);
    assert!(members.unread.is_empty());

    // No more requests than the calm run, apart from Okta's 429s, the timed-out attempts and
    // the extra pages of 50 members instead of 200 for the big groups.
    let stats = stormy.sim.stats();
    assert!(stats.concurrency_limited >= 5, "a storm: {stats:?}");
    let smaller_pages: u64 = data
        .group_members
        .iter()
        .filter(|(g, m)| {
            m.len() > TIMEOUT_ABOVE
                && data.serves_members(g)
                && !data.groups_outside_admin_scope.contains(*g)
        })
        .map(|(_, m)| (m.len().div_ceil(50) - m.len().div_ceil(200)) as u64)
        .sum();
    assert!(smaller_pages > 0, "the org has big groups");
    assert_eq!(
        stats.requests - stats.rate_limited - stats.server_errors,
        calm_requests + smaller_pages,
        "{stats:?}"
    );

    // Okta's headers are whole seconds (Reset rounded up, Date down): a window of 2 s can read
    // as 3 s; the 429 path adds up to 500 ms of jitter.
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
    println!(
        "bad day: {} requests ({} concurrency 429s, {} timed-out attempts, {smaller_pages} smaller pages) against {calm_requests} calm; {} waits, longest {longest} ms",
        stats.requests,
        stats.concurrency_limited,
        stats.server_errors,
        waits.len()
    );
}
