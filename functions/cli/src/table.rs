//! The run summary as a plain-text table, for people at a terminal.

use std::fmt::Write;

use okta_ingest::check::{IntegrationStatus, Probe};
use okta_ingest::summary::RunSummary;
use serde_json::Value;

pub fn render(summary: &RunSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nrun {}  {:?}  {:.1}s",
        summary.run_id,
        summary.status,
        (summary.finished_at - summary.started_at).num_milliseconds() as f64 / 1000.0
    );
    for tenant in &summary.tenants {
        let r = tenant.requests;
        let _ = writeln!(
            out,
            "tenant {}  {:?}  requests {} (retries {}, 429s {})",
            tenant.tenant, tenant.status, r.requests, r.retries, r.rate_limited
        );
        if let Some(error) = &tenant.error {
            let _ = writeln!(out, "  error: {error}");
        }
        if tenant.resources.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<30} {:<9} {:>10} {:>6} {:>9}",
            "resource", "status", "records", "parts", "requests"
        );
        for res in &tenant.resources {
            let _ = writeln!(
                out,
                "  {:<30} {:<9} {:>10} {:>6} {:>9}",
                res.resource,
                format!("{:?}", res.status).to_lowercase(),
                res.records,
                res.parts,
                res.requests.requests
            );
            if let Some(reason) = &res.reason {
                let _ = writeln!(out, "    ↳ {reason}");
            }
            match &res.refresh {
                Some(r) if r.mode == "incremental" => {
                    let applied = match r.applied {
                        0 => String::new(),
                        n => format!(", {n} member(s) added from the System Log"),
                    };
                    let _ = writeln!(
                        out,
                        "    ↳ incremental: {} read, {} carried from run {}{applied}",
                        r.read,
                        r.carried,
                        r.base_run.as_deref().unwrap_or("?")
                    );
                }
                Some(r) if r.drift.is_some() => {
                    let _ = writeln!(
                        out,
                        "    ↳ reconciliation: {} record(s) the incremental state had wrong{}",
                        r.drift.unwrap_or(0),
                        if r.drift_examples.is_empty() {
                            String::new()
                        } else {
                            format!(" (e.g. {})", r.drift_examples.join(", "))
                        }
                    );
                }
                _ => {}
            }
        }
        let compared: Vec<String> = tenant
            .changes
            .iter()
            .filter(|c| c.added + c.removed + c.modified > 0)
            .map(|c| format!("{} +{} -{} ~{}", c.source, c.added, c.removed, c.modified))
            .collect();
        if !compared.is_empty() {
            let _ = writeln!(
                out,
                "  changes since the last complete snapshot: {} (okta-ingest changes lists them)",
                compared.join(", ")
            );
        }
    }
    out
}

/// The change feed's records as lines, in the order the comparisons ran: time, severity,
/// kind, the object, and who did it. `info` changes only with `all`.
pub fn render_changes(records: &[Value], all: bool) -> String {
    let mut out = String::new();
    let shown: Vec<&Value> = records
        .iter()
        .filter(|r| all || r["severity"] != "info")
        .collect();
    if shown.is_empty() {
        let _ = writeln!(
            out,
            "no {}changes{}",
            if all { "" } else { "posture " },
            if records.is_empty() {
                " (the change feed compares each complete snapshot with the one before)"
            } else {
                "; --all shows the info ones too"
            }
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{:<20} {:<8} {:<32} {:<44} by",
        "when", "severity", "kind", "object"
    );
    for record in shown {
        let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
        let cause = &record["cause"];
        let when = if cause.is_null() {
            text(&record["window_end"])
        } else {
            text(&cause["published"])
        };
        let who = if cause.is_null() {
            "(no System Log event found)".to_owned()
        } else {
            format!(
                "{} ({}, {})",
                text(&cause["actor"]["alternate_id"]),
                text(&cause["event_type"]),
                text(&cause["client_ip"])
            )
        };
        let object = format!("{} {}", text(&record["resource"]), text(&record["key"]));
        let _ = writeln!(
            out,
            "{:<20} {:<8} {:<32} {:<44} {who}",
            when.get(..19).unwrap_or(&when),
            text(&record["severity"]),
            text(&record["kind"]),
            object
        );
    }
    out
}

/// A check's verdict per tenant, then its resources in two tiers: those under the
/// integration's scopes, which decide the verdict, and the optional ones.
pub fn render_check(statuses: &[IntegrationStatus]) -> String {
    let mut out = String::new();
    for status in statuses {
        let verdict = if status.active {
            "Active"
        } else {
            "Not active"
        };
        let _ = writeln!(out, "tenant {}  {verdict}", status.tenant);
        if let Some(error) = &status.error {
            let _ = writeln!(out, "  error: {error}");
        }
        let (optional, core): (Vec<&Probe>, Vec<&Probe>) =
            status.resources.iter().partition(|p| p.optional);
        for (title, probes) in [
            ("the integration's scopes (all must answer)", core),
            ("optional scopes (not needed to be Active)", optional),
        ] {
            if probes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {title}");
            for probe in probes {
                render_probe(&mut out, probe);
            }
        }
    }
    out
}

fn render_probe(out: &mut String, probe: &Probe) {
    let status = match probe.status.as_str() {
        "missing_scope" if probe.optional => {
            "optional: not granted, these resources will be skipped"
        }
        status => status,
    };
    let _ = writeln!(out, "    {:<30} {status}", probe.resource);
    if let Some(detail) = &probe.detail {
        let _ = writeln!(out, "      ↳ {detail}");
    }
    for parent in &probe.excluded {
        let status = parent
            .status
            .map_or(String::new(), |s| format!("HTTP {s} "));
        let code = parent.error_code.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "      excluded: {} ({status}{code}), left out of runs",
            parent.id
        );
    }
}
