//! What an invocation asks for: a batch from the function's SQS work queue, an EventBridge
//! tick, or a manual payload naming a tenant, an action, resources or a System Log backfill
//! window. Parsed once, at the edge, into AWS's own event types where there are some.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::system_log::Window;
use crate::tenant::TenantId;

/// An invocation's payload, told apart once.
#[derive(Debug)]
pub enum Event {
    /// Messages from the function's work queue (through its event source mapping).
    Work(SqsEvent),
    /// A tick or a manual request.
    Invocation(Invocation),
}

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

/// A parsed tick or manual request.
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

// Most specific first: with `untagged`, an all-optional manual request would match anything
// that is an object without unknown fields, and an SQS event is any object with `Records`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Payload {
    Sqs(SqsEvent),
    EventBridge(EventBridgeEvent),
    Manual(ManualRequest),
}

impl Event {
    pub fn parse(payload: Value) -> Result<Self, Error> {
        let payload: Payload = serde_json::from_value(payload).map_err(|_| {
            Error::Invocation(
                "expected an EventBridge scheduled event, an SQS batch from the work queue, or {\"tenant\": \"<id>\"} (optionally with \"action\": \"check\", \"resources\", or \"since\" and \"until\" as RFC 3339 times for a System Log backfill)"
                    .into(),
            )
        })?;
        Ok(match payload {
            Payload::Sqs(event) => {
                // Other services' notifications (S3, SNS, …) also arrive as `Records`.
                if let Some(other) = event
                    .records
                    .iter()
                    .find_map(|r| r.event_source.as_deref().filter(|s| *s != "aws:sqs"))
                {
                    return Err(Error::Invocation(format!(
                        "records from {other:?} are not handled; only the work queue's (aws:sqs)"
                    )));
                }
                Event::Work(event)
            }
            Payload::EventBridge(e) if e.detail_type == "Scheduled Event" => {
                Event::Invocation(Invocation {
                    target: Target::AllTenants,
                    action: Action::Run,
                    resources: None,
                    window: Window::Live,
                    scheduled_at: e.time,
                })
            }
            Payload::EventBridge(e) => {
                return Err(Error::Invocation(format!(
                    "EventBridge {:?} events are not handled; only \"Scheduled Event\"",
                    e.detail_type
                )));
            }
            Payload::Manual(m) => Event::Invocation(m.into_invocation()?),
        })
    }
}

impl ManualRequest {
    fn into_invocation(self) -> Result<Invocation, Error> {
        Ok(Invocation {
            target: match self.tenant {
                Some(t) => Target::Tenant(
                    TenantId::parse(&t).map_err(|e| Error::Invocation(e.to_string()))?,
                ),
                None => Target::AllTenants,
            },
            action: self.action.unwrap_or(Action::Run),
            resources: self.resources,
            window: match (self.since, self.until) {
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invocation(payload: Value) -> Result<Invocation, Error> {
        match Event::parse(payload)? {
            Event::Invocation(invocation) => Ok(invocation),
            Event::Work(_) => panic!("not an SQS event"),
        }
    }

    #[test]
    fn payloads() {
        let scheduled = json!({
            "version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "1", "time": "2026-11-28T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}
        });
        let tick = invocation(scheduled).unwrap();
        assert_eq!(tick.target, Target::AllTenants);
        assert_eq!(
            tick.scheduled_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-28T00:00:00+00:00")
        );
        let one = invocation(json!({"tenant": "acme"})).unwrap();
        assert_eq!(one.target, Target::Tenant(TenantId::parse("acme").unwrap()));
        let some = invocation(json!({"tenant": "acme", "resources": "user_factors"})).unwrap();
        assert_eq!(some.resources.as_deref(), Some("user_factors"));
        assert!(Event::parse(json!({"tenat": "acme"})).is_err());
        assert!(Event::parse(json!({"tenant": "ACME"})).is_err());
        assert!(Event::parse(json!([1])).is_err());
        let other_rule = json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}});
        let e = Event::parse(other_rule).unwrap_err().to_string();
        assert!(e.contains("only \"Scheduled Event\""), "{e}");
    }

    #[test]
    fn sqs_events_are_told_apart_from_other_payloads() {
        let event = json!({"Records": [{
            "messageId": "m1", "receiptHandle": "r", "body": "{}", "attributes": {},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:1:q", "awsRegion": "us-east-1"
        }]});
        let Event::Work(parsed) = Event::parse(event).unwrap() else {
            panic!("an SQS event")
        };
        assert_eq!(parsed.records[0].message_id.as_deref(), Some("m1"));
        let s3_event =
            json!({"Records": [{"eventSource": "aws:s3", "messageId": "m", "body": ""}]});
        let e = Event::parse(s3_event).unwrap_err().to_string();
        assert!(e.contains("\"aws:s3\" are not handled"), "{e}");
    }

    #[test]
    fn the_sample_events_parse() {
        let sample = |text: &str| Event::parse(serde_json::from_str(text).unwrap()).unwrap();
        let Event::Work(work) = sample(include_str!("../../events/sqs-work.json")) else {
            panic!("the work sample is an SQS event")
        };
        assert_eq!(work.records.len(), 1);
        assert!(matches!(
            sample(include_str!("../../events/scheduled.json")),
            Event::Invocation(Invocation {
                target: Target::AllTenants,
                ..
            })
        ));
    }

    #[test]
    fn a_backfill_window_is_checked_before_okta_is_asked() {
        let at = |days: i64| (Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        let window = |since: String, until: String| {
            invocation(json!({"tenant": "acme", "since": since, "until": until}))
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
