//! The work queue (SQS) between a scheduled tick and the per-tenant invocations: what a
//! message says, and sending messages, in batches where there are many.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::layout::RunId;
use crate::tenant::TenantId;

/// SQS takes at most 10 messages per `SendMessageBatch`.
const BATCH: usize = 10;
/// Batches in flight at once while dispatching.
const BATCHES_IN_FLIGHT: usize = 8;
/// Attempts for the entries of a batch that SQS refused.
const ATTEMPTS: u32 = 4;
/// SQS's longest message delay.
pub const MAX_DELAY: Duration = Duration::from_secs(900);

/// One tenant's run of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkMessage {
    pub tenant: TenantId,
    /// The resource group, so a message sent to the wrong function's queue is refused.
    pub group: String,
    /// The run id of the dispatching invocation: every tenant of one tick shares it.
    pub dispatch: RunId,
    /// When the tick was scheduled.
    pub scheduled_at: DateTime<Utc>,
    /// A continuation: the run it carries on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<Carry>,
}

/// Which run a continuation carries on, and which of its steps (so that a message SQS
/// delivers twice finds its step already taken and does nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carry {
    pub run: RunId,
    pub step: u32,
}

impl Carry {
    /// What the group lease is handed to for this continuation.
    pub fn key(&self) -> String {
        format!("{}/{}", self.run, self.step)
    }
}

/// A function's own work queue.
#[derive(Clone)]
pub struct WorkQueue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

impl WorkQueue {
    /// The queue at `url`, with the process's AWS configuration.
    pub fn new(url: String, aws: &SdkConfig) -> Self {
        Self {
            sqs: aws_sdk_sqs::Client::new(aws),
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one message, visible after `delay` (at most [`MAX_DELAY`]).
    pub async fn send(&self, message: &WorkMessage, delay: Duration) -> Result<(), Error> {
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body(message))
            .delay_seconds(delay.min(MAX_DELAY).as_secs() as i32)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                Error::Queue(format!(
                    "sending tenant {}'s message: {}",
                    message.tenant,
                    DisplayErrorContext(&e)
                ))
            })
    }

    /// Sends every message, ten to a request, several requests at once. Entries SQS refuses
    /// are sent again a few times; any still refused make the error, which counts them.
    pub async fn send_all(&self, messages: &[WorkMessage]) -> Result<(), Error> {
        let refused: Vec<String> = futures::stream::iter(messages.chunks(BATCH))
            .map(|batch| self.send_batch(batch))
            .buffer_unordered(BATCHES_IN_FLIGHT)
            .flat_map(futures::stream::iter)
            .collect()
            .await;
        if refused.is_empty() {
            return Ok(());
        }
        Err(Error::Queue(format!(
            "{} of {} messages could not be sent; first: {}",
            refused.len(),
            messages.len(),
            refused[0]
        )))
    }

    /// One batch, retrying refused entries; returns why each entry still refused was refused.
    async fn send_batch(&self, batch: &[WorkMessage]) -> Vec<String> {
        let mut left: Vec<(usize, &WorkMessage)> = batch.iter().enumerate().collect();
        let mut permanent = Vec::new();
        let mut last = Vec::new();
        for attempt in 1..=ATTEMPTS {
            if attempt > 1 {
                let backoff = 100u64 << attempt;
                tokio::time::sleep(Duration::from_millis(fastrand::u64(backoff / 2..=backoff)))
                    .await;
            }
            let entries = left
                .iter()
                .map(|(i, m)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body(m))
                        .build()
                        .expect("id and body are set")
                })
                .collect();
            let sent = self
                .sqs
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await;
            last.clear();
            match sent {
                Ok(out) => left.retain(|(i, m)| {
                    let Some(f) = out.failed().iter().find(|f| f.id() == i.to_string()) else {
                        return false; // sent
                    };
                    let why = format!(
                        "tenant {}: {} {}",
                        m.tenant,
                        f.code(),
                        f.message().unwrap_or_default()
                    );
                    // A sender fault (a malformed entry) will not mend on retry.
                    if f.sender_fault() {
                        permanent.push(why);
                        false
                    } else {
                        last.push(why);
                        true
                    }
                }),
                Err(e) => {
                    let why = DisplayErrorContext(&e).to_string();
                    last.extend(
                        left.iter()
                            .map(|(_, m)| format!("tenant {}: {why}", m.tenant)),
                    );
                }
            }
            if left.is_empty() {
                break;
            }
        }
        permanent.extend(last);
        permanent
    }
}

fn body(message: &WorkMessage) -> String {
    serde_json::to_string(message).expect("a work message serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_stay_small() {
        let message = WorkMessage {
            tenant: TenantId::parse("acme").unwrap(),
            group: "users".into(),
            dispatch: RunId::parse("20261128T000000Z-0a1b").unwrap(),
            scheduled_at: Utc::now(),
            continues: Some(Carry {
                run: RunId::parse("20261128T000000Z-0a1b").unwrap(),
                step: 2,
            }),
        };
        let text = body(&message);
        assert_eq!(serde_json::from_str::<WorkMessage>(&text).unwrap(), message);
        assert!(text.len() < 300, "{text}");
        let first = WorkMessage {
            continues: None,
            ..message
        };
        assert!(!body(&first).contains("continues"));
    }

    #[test]
    fn a_message_with_a_bad_id_is_refused_as_it_is_read() {
        let good = body(&WorkMessage {
            tenant: TenantId::parse("acme").unwrap(),
            group: "users".into(),
            dispatch: RunId::parse("20261128T000000Z-0a1b").unwrap(),
            scheduled_at: Utc::now(),
            continues: None,
        });
        for bad in [
            good.replace("\"acme\"", "\"ACME\""),
            good.replace("20261128T000000Z-0a1b", "yesterday"),
        ] {
            assert!(serde_json::from_str::<WorkMessage>(&bad).is_err(), "{bad}");
        }
    }
}
