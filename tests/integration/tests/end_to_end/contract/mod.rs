//! The simulator stays true to Okta: every response it serves, for every endpoint the ingest
//! reads, validates against the response schema of Okta's own OpenAPI document.
//!
//! Driven by the ingest's resource table, so a new resource is covered without touching this
//! test: each resource's first page of each listing (a child's for a few of its parents, picked
//! as the ingest picks them), validated whole against the operation's 200 schema. Okta's
//! error bodies are checked against the operation's 404 and 403 schemas. Known deviations of
//! real Okta from its spec are in `deviations.rs`; anything else fails the test. So does a
//! record without what the ingest itself reads from it, where Okta's schema requires nothing
//! (its User, for one, has no required property, not even `id`).

mod deviations;
mod openapi;

use std::collections::BTreeMap;

use okta_ingest::okta::Shape;
use okta_ingest::resources::{self, Kind, Parent, Resource, Select};
use okta_sim::{READ_SCOPES, SimConfig, Simulator};
use serde_json::Value;

use deviations::{DEVIATIONS, allowing};
use openapi::Spec;

/// Parents whose children are fetched, per child resource.
const PARENTS: usize = 3;

/// What one resource contributed: the operations it reached, requests and records validated.
#[derive(Default)]
struct Covered {
    operations: Vec<String>,
    requests: usize,
    records: usize,
}

#[tokio::test]
async fn every_response_the_ingest_reads_keeps_to_oktas_schema() {
    let spec = Spec::load();
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    let http = reqwest::Client::new();
    let mut coverage: BTreeMap<&str, Covered> = BTreeMap::new();
    let mut violations = Vec::new();
    let mut used: Vec<Vec<usize>> = DEVIATIONS.iter().map(|d| vec![0; d.at.len()]).collect();
    for (group, resource) in resources::ALL
        .iter()
        .flat_map(|g| g.resources.iter().map(move |r| (g, r)))
    {
        let needs = ingest_needs(group.kind, resource);
        let covered = coverage.entry(resource.name).or_default();
        let paths = match &resource.parent {
            None => vec![resource.path.to_owned()],
            Some(parent) => parent_ids(&http, &sim, parent)
                .await
                .iter()
                .map(|id| resource.path_for(id))
                .collect(),
        };
        for listing in resource.listings {
            let template = operation_path(resource, listing);
            let op = spec
                .get(&template)
                .unwrap_or_else(|| panic!("{}: no GET {template} in Okta's spec", resource.name));
            let schema = spec
                .response_schema(&op, "200")
                .unwrap_or_else(|| panic!("GET {}: no JSON 200 response", op.template));
            let validator = spec.validator(schema);
            covered.operations.push(op.template.to_owned());
            for path in &paths {
                let url = first_url(resource, path, listing);
                let (status, body) = get(&http, &sim, &url).await;
                assert_eq!(status, 200, "GET {url}: {body}");
                covered.requests += 1;
                let records = records(resource.shape, &body);
                covered.records += records.len();
                for (i, record) in records.iter().enumerate() {
                    let missing = needs.iter().filter(|(field, select)| {
                        select.accepts(&record.to_string())
                            && !record.pointer(field).is_some_and(Value::is_string)
                    });
                    for (field, _) in missing {
                        violations.push(format!(
                            "GET {url}: record {i} has no {field}, which the ingest reads"
                        ));
                    }
                }
                for error in validator.iter_errors(&body) {
                    match allowing(op.template, &error) {
                        Some((i, place)) => used[i][place] += 1,
                        None => violations.push(format!(
                            "GET {url} ({}): at {}: {error}",
                            op.template,
                            error.instance_path()
                        )),
                    }
                }
            }
        }
    }
    println!(
        "{:<24} {:>8} {:>8}  operations",
        "resource", "requests", "records"
    );
    for (name, c) in &coverage {
        let mut operations = c.operations.clone();
        operations.dedup();
        println!(
            "{name:<24} {:>8} {:>8}  {}",
            c.requests,
            c.records,
            operations.join(", ")
        );
    }
    let total: usize = coverage.values().map(|c| c.records).sum();
    println!("{total} records validated; let through as real Okta sends them:");
    for (d, counts) in DEVIATIONS.iter().zip(&used) {
        for (at, n) in d.at.iter().zip(counts) {
            println!(
                "  {} {at}: {n} ({:?}; {})",
                d.operation, d.allows, d.evidence
            );
        }
    }
    assert!(
        violations.is_empty(),
        "{} places break Okta's schema:\n{}",
        violations.len(),
        violations.join("\n")
    );
    let idle: Vec<&str> = coverage
        .iter()
        .filter(|(_, c)| c.records == 0)
        .map(|(name, _)| *name)
        .collect();
    assert!(idle.is_empty(), "no record was validated for {idle:?}");
    let stale: Vec<String> = DEVIATIONS
        .iter()
        .zip(&used)
        .flat_map(|(d, counts)| d.at.iter().zip(counts).map(move |(at, n)| (d, at, n)))
        .filter(|(_, _, n)| **n == 0)
        .map(|(d, at, _)| format!("{} {at}", d.operation))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed deviations no response needs any more: {stale:?}"
    );
}

#[tokio::test]
async fn okta_error_bodies_keep_to_the_error_schema() {
    let spec = Spec::load();
    let sim = Simulator::start(SimConfig::small()).await.unwrap();
    // An admin whose role may read nothing: every endpoint answers 403 E0000006.
    let denied = Simulator::start(SimConfig::small().with_api_token_denied_scopes(READ_SCOPES))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let mut checked = 0;
    for resource in resources::ALL.iter().flat_map(|g| g.resources) {
        let listing = resource.listings[0];
        let template = operation_path(resource, listing);
        let op = spec.get(&template).expect("the operation is in the spec");
        let nosuch = "00u0000000000nosuch";
        let path = match resource
            .parent
            .as_ref()
            .and_then(|p| resources::find(p.resource))
        {
            Some(parent) if parent.parent.is_some() => {
                resource.path_for(&format!("{nosuch}/{nosuch}"))
            }
            _ => resource.path_for(nosuch),
        };
        let mut cases = vec![(&denied, "403")];
        if resource.parent.is_some() {
            cases.push((&sim, "404"));
        }
        for (org, status) in cases {
            let url = first_url(resource, &path, listing);
            let (got, body) = get(&http, org, &url).await;
            assert_eq!(got.to_string(), status, "GET {url}: {body}");
            let schema = spec
                .response_schema(&op, status)
                .unwrap_or_else(|| panic!("GET {}: no JSON {status} response", op.template));
            let errors: Vec<String> = spec
                .validator(schema)
                .iter_errors(&body)
                .map(|e| format!("at {}: {e}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "GET {url} {status}: {errors:?} in {body}"
            );
            // Okta's Error schema requires nothing; the ingest classifies by these two.
            for field in ["errorCode", "errorSummary"] {
                assert!(body[field].is_string(), "GET {url}: no {field} in {body}");
            }
            checked += 1;
        }
    }
    println!("{checked} error bodies validated");
}

/// The spec path of a listing: a sub-path listing (`/preferences`) is an operation of its own,
/// a query listing (`?type=…`) is the resource's.
fn operation_path(resource: &Resource, listing: &str) -> String {
    if listing.starts_with('/') {
        format!("{}{listing}", resource.path)
    } else {
        resource.path.to_owned()
    }
}

/// The ingest's first URL for a listing of `path` (the resource's, with a parent id in it).
fn first_url(resource: &Resource, path: &str, listing: &str) -> String {
    resource.first_url(path, listing, resource.limit)
}

/// The first few parents the ingest would fan out over, from the parent's first page (for a
/// child of a child, under each of the first few grandparents: `{grandparent}/{parent}`).
async fn parent_ids(http: &reqwest::Client, sim: &Simulator, parent: &Parent) -> Vec<String> {
    let resource = resources::find(parent.resource).expect("the parent is in the table");
    let paths: Vec<(String, Option<String>)> = match &resource.parent {
        None => vec![(resource.path.to_owned(), None)],
        Some(grand) => Box::pin(parent_ids(http, sim, grand))
            .await
            .into_iter()
            .map(|id| (resource.path_for(&id), Some(id)))
            .collect(),
    };
    let mut ids = Vec::new();
    for (path, outer) in paths {
        let url = first_url(resource, &path, resource.listings[0]);
        let (status, body) = get(http, sim, &url).await;
        assert_eq!(status, 200, "GET {url}: {body}");
        let list = match resource.shape {
            Shape::Field(field) => &body[field],
            _ => &body,
        };
        ids.extend(
            list.as_array()
                .into_iter()
                .flatten()
                .filter(|r| parent.select.accepts(&r.to_string()))
                .filter_map(|r| r.pointer(parent.key)?.as_str().map(str::to_owned))
                .map(|id| match &outer {
                    Some(outer) => format!("{outer}/{id}"),
                    None => id,
                }),
        );
    }
    ids.truncate(PARENTS);
    assert!(!ids.is_empty(), "no parent for {}", parent.field);
    ids
}

/// The records in a body, as the ingest finds them.
fn records(shape: Shape, body: &Value) -> Vec<&Value> {
    match shape {
        Shape::Array => body.as_array().into_iter().flatten().collect(),
        Shape::Field(field) => body[field].as_array().into_iter().flatten().collect(),
        Shape::Object => vec![body],
    }
}

/// The string fields (JSON pointers) the ingest reads from each record of `resource`, with the
/// records it reads them from: the key of a parent, from the records a child fans out over
/// (its requests carry it: `/id`, or a client id, a contact type), an event's `uuid` and
/// `published` (de-duplication and partitioning).
fn ingest_needs(kind: Kind, resource: &Resource) -> Vec<(&'static str, Select)> {
    match kind {
        Kind::EventLog => vec![("/uuid", Select::All), ("/published", Select::All)],
        Kind::Snapshot => resources::ALL
            .iter()
            .flat_map(|g| g.resources)
            .filter_map(|r| r.parent.as_ref())
            .filter(|p| p.resource == resource.name)
            .map(|p| (p.key, p.select))
            .collect(),
    }
}

/// `url` (relative to the org) with the simulator's API token: status and JSON body.
async fn get(http: &reqwest::Client, sim: &Simulator, url: &str) -> (u16, Value) {
    let response = http
        .get(format!("{}{url}", sim.url()))
        .header("Authorization", format!("SSWS {}", okta_sim::API_TOKEN))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "GET {url}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, body)
}
