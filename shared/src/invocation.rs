//! What an invocation asks for: an EventBridge tick, or a manual payload naming a tenant, an
//! action, resources or a System Log backfill window. Parsed once, at the edge.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::system_log::Window;
use crate::tenant::TenantId;

/// Who an invocation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    AllTenants,
    Tenant(TenantId),
}

/// What an invocation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Ingest (the default).
    Run,
    /// Validate the secret and probe every resource once; nothing is ingested.
    Check,
}

/// A parsed invocation payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub target: Target,
    pub action: Action,
    /// A `--resources`-style list restricting what runs.
    pub resources: Option<String>,
    /// For the System Log: live (default) or a backfill window.
    pub window: Window,
    /// When a scheduled tick was due (from the EventBridge envelope).
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// An EventBridge envelope; only its type and time matter.
#[derive(Deserialize)]
struct EventBridgeEvent {
    #[serde(rename = "detail-type")]
    detail_type: String,
    time: Option<DateTime<Utc>>,
}

/// A manual payload. Unknown fields are refused, so a typo is an error, not a silent full run.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManualRequest {
    tenant: Option<String>,
    action: Option<Action>,
    resources: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

// The envelope goes first: with `untagged`, an all-optional request would also match it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Payload {
    EventBridge(EventBridgeEvent),
    Manual(ManualRequest),
}

impl Invocation {
    pub fn parse(payload: &Value) -> Result<Self, Error> {
        let payload: Payload = serde_json::from_value(payload.clone()).map_err(|_| {
            Error::Invocation(
                "expected an EventBridge scheduled event or {\"tenant\": \"<id>\"} (optionally with \"action\": \"check\", \"resources\", or \"since\" and \"until\" as RFC 3339 times for a System Log backfill)"
                    .into(),
            )
        })?;
        Ok(match payload {
            Payload::EventBridge(e) if e.detail_type == "Scheduled Event" => Invocation {
                target: Target::AllTenants,
                action: Action::Run,
                resources: None,
                window: Window::Live,
                scheduled_at: e.time,
            },
            Payload::EventBridge(e) => {
                return Err(Error::Invocation(format!(
                    "EventBridge {:?} events are not handled; only \"Scheduled Event\"",
                    e.detail_type
                )));
            }
            Payload::Manual(m) => Invocation {
                target: match m.tenant {
                    Some(t) => Target::Tenant(
                        TenantId::parse(&t).map_err(|e| Error::Invocation(e.to_string()))?,
                    ),
                    None => Target::AllTenants,
                },
                action: m.action.unwrap_or(Action::Run),
                resources: m.resources,
                window: match (m.since, m.until) {
                    (None, None) => Window::Live,
                    (Some(since), Some(until)) => {
                        Window::backfill(since, until).map_err(Error::Invocation)?
                    }
                    _ => {
                        return Err(Error::Invocation(
                            "a backfill needs both \"since\" and \"until\"".into(),
                        ));
                    }
                },
                scheduled_at: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads() {
        let scheduled = json!({
            "version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "1", "time": "2026-11-28T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}
        });
        assert_eq!(
            Invocation::parse(&scheduled).unwrap().target,
            Target::AllTenants
        );
        let one = Invocation::parse(&json!({"tenant": "acme"})).unwrap();
        assert_eq!(one.target, Target::Tenant(TenantId::parse("acme").unwrap()));
        let some =
            Invocation::parse(&json!({"tenant": "acme", "resources": "user_factors"})).unwrap();
        assert_eq!(some.resources.as_deref(), Some("user_factors"));
        assert!(Invocation::parse(&json!({"tenat": "acme"})).is_err());
        assert!(Invocation::parse(&json!({"tenant": "ACME"})).is_err());
        assert!(Invocation::parse(&json!([1])).is_err());
    }

    #[test]
    fn a_backfill_window_is_checked_before_okta_is_asked() {
        let at = |days: i64| (Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        let window = |since: String, until: String| {
            Invocation::parse(&json!({"tenant": "acme", "since": since, "until": until}))
        };
        assert!(matches!(
            window(at(2), at(1)).unwrap().window,
            Window::Backfill { .. }
        ));
        for (since, until) in [(at(1), at(2)), (at(120), at(1)), (at(0), at(0))] {
            let e = window(since, until).unwrap_err().to_string();
            assert!(e.contains("since < until") && e.contains("90 days"), "{e}");
        }
    }
}
