//! Parquet parts: written next to gzip NDJSON when both are asked for, listed in the same
//! manifests, `raw` byte-equal to the NDJSON line (which is the record as Okta sent it), the
//! parent in its own column, and the declared columns typed.

use std::io::Read;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use okta_ingest::manifest::{Manifest, Status};
use okta_ingest::resources::{LOGS, USERS};
use okta_ingest::runtime::Options;
use okta_ingest::sink::Formats;
use okta_ingest_tests::{TestAws, invoke, test_options};
use okta_sim::{SimConfig, Simulator};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Value, json};

/// A column of strings, nulls as `None`.
fn strings(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let column = b.column_by_name(name).unwrap_or_else(|| panic!("{name}"));
            let column = column.as_string::<i32>();
            (0..column.len())
                .map(|i| (!column.is_null(i)).then(|| column.value(i).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn read_parquet(body: Vec<u8>) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(body))
        .expect("a Parquet file")
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn gunzip_text(body: &[u8]) -> Vec<String> {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(body)
        .read_to_string(&mut text)
        .unwrap();
    text.lines().map(str::to_owned).collect()
}

/// The manifest's parts of one format, read: Parquet batches and NDJSON lines.
async fn formats(aws: &TestAws, m: &Manifest) -> (Vec<RecordBatch>, Vec<String>) {
    let (mut batches, mut lines) = (Vec::new(), Vec::new());
    for part in &m.parts {
        let body = aws.object(&part.key).await;
        if part.key.ends_with(".parquet") {
            batches.extend(read_parquet(body));
        } else {
            assert!(part.key.ends_with(".json.gz"), "{}", part.key);
            lines.extend(gunzip_text(&body));
        }
    }
    (batches, lines)
}

#[tokio::test]
async fn both_formats_hold_the_same_records_and_raw_is_byte_equal() {
    let sim = Simulator::start(SimConfig::small().with_users(300))
        .await
        .unwrap();
    let aws = TestAws::new().await;
    aws.put_tenant(
        "acme",
        &okta_ingest_tests::secret(&sim.url(), okta_ingest_tests::ssws()),
    )
    .await;
    let rt = aws
        .runtime(Options {
            formats: Formats::Both,
            ..test_options()
        })
        .await;
    for group in [&USERS, &LOGS] {
        let summary = invoke(&rt, group, json!({"tenant": "acme"})).await;
        assert_eq!(summary.status, Status::Complete, "{summary:?}");
    }

    // Users: a root resource, so each line is Okta's object verbatim, and so is raw.
    let users = &aws.manifests("users", "acme").await[0];
    assert!(users.parts.iter().any(|p| p.key.ends_with(".parquet")));
    let (batches, lines) = formats(&aws, users).await;
    assert_eq!(lines.len(), 300);
    let raw: Vec<String> = strings(&batches, "raw").into_iter().flatten().collect();
    assert_eq!(raw, lines, "raw is each record byte for byte");
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<Option<String>> = parsed
        .iter()
        .map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(strings(&batches, "id"), ids);
    let logins: Vec<Option<String>> = parsed
        .iter()
        .map(|u| u["profile"]["login"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(strings(&batches, "login"), logins);
    let created = format!(
        "{:?}",
        batches[0].column_by_name("created").unwrap().data_type()
    );
    assert_eq!(created, r#"Timestamp(Millisecond, Some("UTC"))"#);

    // Factors: the NDJSON line gains `userId` first; raw has Okta's bytes without it, and the
    // parent sits in `user_id`.
    let factors = &aws.manifests("user_factors", "acme").await[0];
    let (batches, lines) = formats(&aws, factors).await;
    assert!(!lines.is_empty());
    let raw = strings(&batches, "raw");
    let parents = strings(&batches, "user_id");
    assert_eq!(raw.len(), lines.len());
    for ((raw, parent), line) in raw.iter().zip(&parents).zip(&lines) {
        let parent = parent.as_deref().expect("every factor has its user");
        let field = format!("{{\"userId\":{},", serde_json::to_string(parent).unwrap());
        let rest = line
            .strip_prefix(&field)
            .unwrap_or_else(|| panic!("{line}"));
        assert_eq!(raw.as_deref(), Some(format!("{{{rest}").as_str()));
    }

    // The System Log: each event-hour's Parquet part holds its NDJSON twin's events.
    let log = &aws.manifests("system_log", "acme").await[0];
    let (batches, lines) = formats(&aws, log).await;
    assert!(!lines.is_empty());
    let raw: Vec<String> = strings(&batches, "raw").into_iter().flatten().collect();
    assert_eq!(raw, lines);
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<Option<String>> = parsed
        .iter()
        .map(|e| e["eventType"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(strings(&batches, "event_type"), want);
    let want: Vec<Option<String>> = parsed
        .iter()
        .map(|e| e["outcome"]["result"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(strings(&batches, "outcome_result"), want);
}
