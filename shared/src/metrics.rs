//! CloudWatch metrics as Embedded Metric Format (EMF) lines: one per tenant and resource.
//!
//! Lambda hands stdout to CloudWatch Logs, which turns EMF lines into metrics with no API call.
//! Namespace `OktaIngest`; dimensions `Function` and `Function, Resource`. The tenant is a
//! property (searchable in Logs Insights), not a dimension, so metric count and cost do not
//! grow with the number of tenants.

use chrono::Utc;
use serde_json::{Value, json};

use crate::summary::RunSummary;

pub const NAMESPACE: &str = "OktaIngest";

/// The EMF lines for one run of `function`.
pub fn emf_lines(function: &str, summary: &RunSummary) -> Vec<String> {
    let seconds = (summary.finished_at - summary.started_at).num_milliseconds() as f64 / 1000.0;
    let mut lines = Vec::new();
    for tenant in &summary.tenants {
        for r in &tenant.resources {
            let mut metrics = vec![
                ("Records", "Count", json!(r.records)),
                ("Requests", "Count", json!(r.requests.requests)),
                ("Retries", "Count", json!(r.requests.retries)),
                ("RateLimited", "Count", json!(r.requests.rate_limited)),
                ("DurationSeconds", "Seconds", json!(seconds)),
                (
                    "Incomplete",
                    "Count",
                    json!(u8::from(r.status != crate::manifest::Status::Complete)),
                ),
            ];
            if let Some(lag) = r.lag_seconds {
                metrics.push(("SystemLogLagSeconds", "Seconds", json!(lag)));
            }
            if let Some(refresh) = &r.refresh {
                metrics.push((
                    "Incremental",
                    "Count",
                    json!(u8::from(refresh.mode == "incremental")),
                ));
                // Records an incremental run would have carried that Okta lists otherwise.
                if let Some(drift) = refresh.drift {
                    metrics.push(("ReconciliationDrift", "Count", json!(drift)));
                }
            }
            let mut line = json!({
                "_aws": {
                    "Timestamp": Utc::now().timestamp_millis(),
                    "CloudWatchMetrics": [{
                        "Namespace": NAMESPACE,
                        "Dimensions": [["Function"], ["Function", "Resource"]],
                        "Metrics": metrics.iter().map(|(name, unit, _)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
                    }],
                },
                "Function": function,
                "Resource": r.resource,
                "Tenant": tenant.tenant,
                "RunId": summary.run_id,
                "Status": r.status,
            });
            if let Value::Object(map) = &mut line {
                for (name, _, value) in metrics {
                    map.insert(name.to_owned(), value);
                }
            }
            lines.push(line.to_string());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Status;
    use crate::okta::RequestStats;
    use crate::summary::{ResourceSummary, TenantSummary};

    /// Checks a line against the EMF specification's rules.
    fn assert_valid_emf(line: &str) {
        let v: Value = serde_json::from_str(line).unwrap();
        let aws = &v["_aws"];
        assert!(aws["Timestamp"].is_i64());
        for directive in aws["CloudWatchMetrics"].as_array().unwrap() {
            assert!(
                directive["Namespace"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty())
            );
            for set in directive["Dimensions"].as_array().unwrap() {
                let set = set.as_array().unwrap();
                assert!(!set.is_empty() && set.len() <= 30);
                for key in set {
                    assert!(
                        v[key.as_str().unwrap()].is_string(),
                        "dimension {key} must be a string member"
                    );
                }
            }
            let metrics = directive["Metrics"].as_array().unwrap();
            assert!(!metrics.is_empty() && metrics.len() <= 100);
            for m in metrics {
                let name = m["Name"].as_str().unwrap();
                assert!(v[name].is_number(), "metric {name} must be a number member");
            }
        }
    }

    #[test]
    fn lines_are_valid_emf_with_lag_for_the_system_log() {
        let resource = |name: &str, lag| ResourceSummary {
            resource: name.into(),
            status: Status::Complete,
            reason: None,
            records: 10,
            parts: 1,
            requests: RequestStats {
                requests: 2,
                retries: 1,
                rate_limited: 0,
            },
            lag_seconds: lag,
            notes: vec![],
            refresh: (name == "users").then(|| crate::refresh::RefreshNote {
                mode: "full".into(),
                drift: Some(0),
                ..Default::default()
            }),
        };
        let summary = RunSummary {
            run_id: crate::layout::RunId::new(Utc::now()),
            started_at: Utc::now(),
            finished_at: Utc::now(),
            status: Status::Complete,
            tenants: vec![TenantSummary {
                tenant: "acme".into(),
                status: Status::Complete,
                error: None,
                requests: RequestStats::default(),
                resources: vec![resource("users", None), resource("system_log", Some(42))],
                changes: Vec::new(),
            }],
        };
        let lines = emf_lines("okta-logs", &summary);
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert_valid_emf(line);
        }
        let users: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(users["ReconciliationDrift"], 0);
        assert_eq!(users["Incremental"], 0);
        let log: Value = serde_json::from_str(&lines[1]).unwrap();
        assert!(log.get("ReconciliationDrift").is_none());
        assert_eq!(log["SystemLogLagSeconds"], 42);
        assert_eq!(log["Function"], "okta-logs");
    }
}
