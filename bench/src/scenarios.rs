//! The benchmark's scenarios: a simulated org, what to ingest from it, and the fewest requests
//! that ingest can possibly make.

use std::time::Duration;

use okta_ingest::resources::{self, Group};
use okta_sim::{Bucket, Dataset, SimConfig};
use serde_json::Value;

/// Per-request latency of the simulated org, roughly a nearby region's round trip.
const LATENCY: Duration = Duration::from_millis(20);

pub struct Scenario {
    pub name: &'static str,
    /// Only with `--full` (minutes, and gigabytes in the simulator).
    pub full_only: bool,
    pub sim: SimConfig,
    group: &'static Group,
    resources: &'static [&'static str],
    /// ⌈N / max limit⌉ per listing plus the fan-out calls, from the simulated data.
    minimum: fn(&Dataset, &SimConfig) -> u64,
    /// For a rate-limited run: the requests a minute the client may make.
    pub allowed_per_minute: Option<f64>,
    /// For a rate-limited run: the client's share of one window, and the window.
    window: Option<(u64, Duration)>,
}

impl Scenario {
    pub fn plan(&self) -> Vec<(&'static Group, Vec<&'static str>)> {
        vec![(self.group, self.resources.to_vec())]
    }

    pub fn minimum_requests(&self, data: &Dataset) -> u64 {
        (self.minimum)(data, &self.sim)
    }

    /// The least time `requests` can take under fixed windows: every full share but the last
    /// waits out its window; the rest go at the simulator's latency.
    pub fn windowed_bound(&self, requests: u64) -> Option<Duration> {
        let (share, window) = self.window?;
        let waits = requests.div_ceil(share).saturating_sub(1);
        let tail = requests - waits * share;
        Some(window * waits as u32 + self.sim.latency * tail as u32)
    }
}

fn pages(n: usize, limit: usize) -> u64 {
    n.div_ceil(limit).max(1) as u64
}

fn users_pages(data: &Dataset, _: &SimConfig) -> u64 {
    let deprovisioned = data
        .users
        .iter()
        .filter(|u| u["status"] == "DEPROVISIONED")
        .count();
    pages(data.users.len() - deprovisioned, 200) + pages(deprovisioned, 200)
}

/// One factors call per user who is not DEPROVISIONED (Okta has none for them).
fn users_and_factors(data: &Dataset, config: &SimConfig) -> u64 {
    let living = data
        .users
        .iter()
        .filter(|u| u["status"] != "DEPROVISIONED")
        .count();
    users_pages(data, config) + living as u64
}

/// Member pages of 200 per group with members; one refused call for a group Okta does not
/// serve (the built-in admins group).
fn groups_group(data: &Dataset, _: &SimConfig) -> u64 {
    let members: u64 = data
        .group_members
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(g, m)| {
            if data.serves_members(g) {
                pages(m.len(), 200)
            } else {
                1
            }
        })
        .sum();
    pages(data.groups.len(), 200) + members + pages(data.group_rules.len(), 200)
}

fn apps_group(data: &Dataset, _: &SimConfig) -> u64 {
    let per_app = |map: &std::collections::BTreeMap<String, Vec<Value>>, limit| -> u64 {
        data.apps
            .iter()
            .map(|a| {
                pages(
                    map.get(a["id"].as_str().unwrap()).map_or(0, Vec::len),
                    limit,
                )
            })
            .sum()
    };
    let oidc = data
        .apps
        .iter()
        .filter(|a| a["signOnMode"] == "OPENID_CONNECT")
        .count() as u64;
    pages(data.apps.len(), 200)
        + per_app(&data.app_users, 500)
        + per_app(&data.app_groups, 200)
        + oidc
}

fn log_pages(_: &Dataset, config: &SimConfig) -> u64 {
    // Every full page is followed by one more; the first short page ends the run.
    (config.log_events / 1000 + 1) as u64
}

fn users(n: usize) -> SimConfig {
    SimConfig::small().with_users(n).with_latency(LATENCY)
}

pub fn all() -> Vec<Scenario> {
    let snapshot = |name, full_only, sim, group, resources, minimum| Scenario {
        name,
        full_only,
        sim,
        group,
        resources,
        minimum,
        allowed_per_minute: None,
        window: None,
    };
    vec![
        snapshot(
            "users-10k",
            false,
            users(10_000),
            &resources::USERS,
            &["users"],
            users_pages,
        ),
        snapshot(
            "users-100k",
            false,
            users(100_000),
            &resources::USERS,
            &["users"],
            users_pages,
        ),
        snapshot(
            "users-1m",
            true,
            users(1_000_000),
            &resources::USERS,
            &["users"],
            users_pages,
        ),
        snapshot(
            "users-10k+factors",
            false,
            users(10_000),
            &resources::USERS,
            &["users", "user_factors"],
            users_and_factors,
        ),
        snapshot(
            "users-100k+factors",
            true,
            users(100_000),
            &resources::USERS,
            &["users", "user_factors"],
            users_and_factors,
        ),
        snapshot(
            "groups-2k+members",
            false,
            SimConfig::small()
                .with_users(20_000)
                .with_groups(2_000)
                .with_latency(LATENCY),
            &resources::GROUPS,
            &["groups", "group_members", "group_rules"],
            groups_group,
        ),
        snapshot(
            "apps-200+assignments",
            false,
            SimConfig::small()
                .with_users(20_000)
                .with_apps(200)
                .with_latency(LATENCY),
            &resources::APPS,
            &["apps", "app_users", "app_groups", "app_grants"],
            apps_group,
        ),
        snapshot(
            "system-log-1m",
            false,
            SimConfig::small()
                .with_log_events(1_000_000)
                .with_latency(LATENCY),
            &resources::LOGS,
            &["system_log"],
            log_pages,
        ),
        Scenario {
            // 600 a minute on the users list, as 300 per 30-second window so the run takes a
            // minute, not five; the client may use half. (Shorter windows would magnify the
            // up-to-a-second rounding of Okta's whole-second Reset and Date headers.)
            allowed_per_minute: Some(300.0),
            window: Some((150, Duration::from_secs(30))),
            ..snapshot(
                "users-60k-rate-limited",
                false,
                users(60_000)
                    .with_rate_limit(Bucket::UsersList, 300)
                    .with_rate_limit_window(Duration::from_secs(30)),
                &resources::USERS,
                &["users"],
                users_pages,
            )
        },
    ]
}
