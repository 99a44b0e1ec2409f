//! The System Log in OCSF: one record per event beside the raw copy, most in a specific class,
//! made from the event after the tenant's PII controls.

use std::collections::BTreeMap;

use okta_ingest::manifest::Status;
use okta_ingest::resources::LOGS;
use okta_ingest_tests::{TestAws, TestOrg, invoke, test_options};
use okta_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

/// OCSF's fallback class, API Activity.
const FALLBACK: u64 = 6003;

#[tokio::test]
async fn every_event_has_one_record_and_at_least_95_percent_land_in_a_specific_class() {
    let TestOrg { sim, aws, rt } = TestOrg::start(SimConfig::small().with_log_events(5_000)).await;
    let summary = invoke(&rt, &LOGS, json!({"tenant": "acme"})).await;
    let names: Vec<&str> = summary.tenants[0]
        .resources
        .iter()
        .map(|r| r.resource.as_str())
        .collect();
    assert_eq!(names, ["system_log", "system_log_ocsf"], "{summary:?}");
    for resource in &summary.tenants[0].resources {
        assert_eq!(resource.status, Status::Complete, "{summary:?}");
        assert_eq!(resource.records, 5_000);
    }
    let manifest = &aws.manifests("system_log_ocsf", "acme").await[0];
    assert_eq!(
        manifest.requests.requests, 0,
        "a derived resource asks nothing"
    );
    let records = aws.lines(manifest).await;
    let events: BTreeMap<String, Value> = sim
        .system_log()
        .events()
        .into_iter()
        .map(|e| (e["uuid"].as_str().unwrap().to_owned(), e))
        .collect();
    assert_eq!(records.len(), events.len());

    let mut classes: BTreeMap<u64, usize> = BTreeMap::new();
    for record in &records {
        let class = record["class_uid"].as_u64().unwrap();
        *classes.entry(class).or_default() += 1;
        let uuid = record["metadata"]["original_event_uid"].as_str().unwrap();
        let event = &events[uuid];
        assert_eq!(record["metadata"]["version"], "1.8.0");
        assert_eq!(record["metadata"]["product"]["name"], "Okta");
        assert_eq!(record["metadata"]["event_code"], event["eventType"]);
        assert_eq!(
            record["type_uid"].as_u64().unwrap(),
            class * 100 + record["activity_id"].as_u64().unwrap()
        );
        let published: chrono::DateTime<chrono::Utc> =
            event["published"].as_str().unwrap().parse().unwrap();
        assert_eq!(record["time"], published.timestamp_millis());
        // DENY counts as a failure, as FAILURE does (a finding's status is its own).
        if class != 2004 {
            let failed = matches!(
                event["outcome"]["result"].as_str(),
                Some("FAILURE" | "DENY")
            );
            assert_eq!(record["status_id"] == 2, failed, "{record}");
        }
        if let Some(ip) = event["client"]["ipAddress"].as_str()
            && class != 2004
        {
            assert_eq!(record["src_endpoint"]["ip"], ip);
        }
        // What the record does not map stays under `unmapped`, as Okta sent it.
        assert_eq!(
            record["unmapped"]["legacyEventType"],
            event["legacyEventType"]
        );
    }
    let specific = records.len() - classes.get(&FALLBACK).copied().unwrap_or(0);
    let share = specific as f64 / records.len() as f64;
    println!(
        "OCSF: {specific} of {} simulator events ({:.1} %) in a specific class; by class: {classes:?}",
        records.len(),
        share * 100.0
    );
    assert!(share >= 0.95, "{:.1} % in a specific class", share * 100.0);
    // Every class of the mapping is exercised by the simulator's mix.
    for class in [2004, 3001, 3002, 3003, 3004, 3005, 3006] {
        assert!(classes.contains_key(&class), "no {class} in {classes:?}");
    }
}

#[tokio::test]
async fn records_are_made_after_the_pii_controls() {
    let sim = Simulator::start(SimConfig::small().with_log_events(1_500))
        .await
        .unwrap();
    let aws = TestAws::new().await;
    let secret = json!({
        "org_url": sim.url(),
        "auth": {"type": "ssws", "token": okta_sim::API_TOKEN},
        "pii": {
            "drop": ["client.ipAddress", "request.ipChain[].ip"],
            "hash": ["actor.alternateId", "actor.displayName", "target[].alternateId", "target[].displayName"],
            "hash_key": "a-tenant-specific-hmac-key",
        },
    });
    aws.put_tenant("acme", &secret.to_string()).await;
    let rt = aws.runtime(test_options()).await;
    let summary = invoke(&rt, &LOGS, json!({"tenant": "acme"})).await;
    assert_eq!(summary.status, Status::Complete, "{summary:?}");

    let events = sim.system_log().events();
    let mut personal: Vec<String> = events
        .iter()
        .flat_map(|e| {
            let targets = e["target"].as_array().cloned().unwrap_or_default();
            [&e["actor"]]
                .into_iter()
                .chain(targets.iter())
                .flat_map(|who| [&who["alternateId"], &who["displayName"]])
                .chain([&e["client"]["ipAddress"]])
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .filter(|v| v != "unknown")
        .collect();
    personal.sort_unstable();
    personal.dedup();
    assert!(personal.len() > 100, "the events carry personal data");

    let manifest = &aws.manifests("system_log_ocsf", "acme").await[0];
    let records = aws.lines(manifest).await;
    assert_eq!(records.len(), events.len());
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    for value in &personal {
        assert!(
            !text.contains(&format!("\"{value}\"")),
            "an OCSF record holds {value:?}, which the PII controls drop or hash"
        );
    }
    // Hashed values are mapped as they were written, so they join with the raw copy.
    let raw = aws
        .lines(&aws.manifests("system_log", "acme").await[0])
        .await;
    let by_uuid: BTreeMap<&str, &Value> = raw
        .iter()
        .map(|e| (e["uuid"].as_str().unwrap(), e))
        .collect();
    for record in &records {
        let uuid = record["metadata"]["original_event_uid"].as_str().unwrap();
        let name = record["actor"]["user"]["name"].as_str().unwrap();
        assert!(name.starts_with("hmac-sha256:"), "{record}");
        assert_eq!(by_uuid[uuid]["actor"]["alternateId"], name);
        assert!(record["actor"]["user"].get("email_addr").is_none());
        assert!(
            record
                .get("src_endpoint")
                .is_none_or(|e| e.get("ip").is_none())
        );
    }
}
