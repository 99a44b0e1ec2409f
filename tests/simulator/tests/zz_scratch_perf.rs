use okta_sim::{SimConfig, Simulator};
use std::time::Instant;

async fn time(name: &str, config: SimConfig) -> Simulator {
    let t = Instant::now();
    let sim = Simulator::start(config).await.unwrap();
    let d = sim.dataset();
    let app_users: usize = d.app_users.values().map(Vec::len).sum();
    let members: usize = d.group_members.values().map(Vec::len).sum();
    eprintln!(
        "{name}: {:?} users={} groups={} members={} apps={} app_users={} events={}",
        t.elapsed(),
        d.users.len(),
        d.groups.len(),
        members,
        d.apps.len(),
        app_users,
        sim.system_log().len()
    );
    sim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perf() {
    time("users-100k", SimConfig::small().with_users(100_000)).await;
    time(
        "groups-2k",
        SimConfig::small().with_users(20_000).with_groups(2_000),
    )
    .await;
    time(
        "apps-200",
        SimConfig::small().with_users(20_000).with_apps(200),
    )
    .await;
    let sim = time("log-1m", SimConfig::small().with_log_events(1_000_000)).await;
    let client = reqwest::Client::new();
    let t = Instant::now();
    let mut url = Some(format!("{}/api/v1/logs?limit=1000", sim.url()));
    for _ in 0..20 {
        let r = client
            .get(url.unwrap())
            .header("authorization", format!("SSWS {}", okta_sim::API_TOKEN))
            .send()
            .await
            .unwrap();
        let next = r
            .headers()
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.ends_with("rel=\"next\""))
            .map(|v| v[1..v.find('>').unwrap()].to_owned());
        r.bytes().await.unwrap();
        url = next;
    }
    eprintln!("20 log pages of 1000: {:?}", t.elapsed());
    let sim = time("users-100k again", SimConfig::small().with_users(100_000)).await;
    let t = Instant::now();
    let mut url = Some(format!("{}/api/v1/users?limit=200", sim.url()));
    for _ in 0..20 {
        let r = client
            .get(url.unwrap())
            .header("authorization", format!("SSWS {}", okta_sim::API_TOKEN))
            .send()
            .await
            .unwrap();
        let next = r
            .headers()
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.ends_with("rel=\"next\""))
            .map(|v| v[1..v.find('>').unwrap()].to_owned());
        r.bytes().await.unwrap();
        url = next;
    }
    eprintln!("20 user pages of 200: {:?}", t.elapsed());
}
