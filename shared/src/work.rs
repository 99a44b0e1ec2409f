//! Fan-out through SQS: a scheduled tick becomes one message per tenant, and each message is
//! one tenant's run in an invocation of its own.
//!
//! The dispatching invocation only lists tenants and sends messages. A worker invocation takes
//! the tenant's group lease (so no two runs of one tenant's group overlap: a message that finds
//! it held is sent again, delayed until the lease ends, unless its tick needs no run), runs the
//! tenant, and, when the run stopped for the deadline, records where, hands the lease to its
//! continuation and enqueues it. A tenant that
//! fails is reported as a failed batch item; SQS retries it after the visibility timeout and,
//! after the queue's bounded receives, moves it to the dead-letter queue.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::budget::Budget;
use crate::continuation::Continuation;
use crate::error::Error;
use crate::layout::{self, RunId};
use crate::lease::{Claim, HeldLease, Holder, Lease, LeaseRefused};
use crate::manifest::Status;
use crate::queue::{Carry, MAX_DELAY, WorkMessage, WorkQueue};
use crate::resources::{Group, Kind};
use crate::runner;
use crate::runtime::Runtime;
use crate::store::StateObject;
use crate::summary::RunSummary;
use crate::system_log::Window;
use crate::tenant::TenantId;

/// What a dispatching invocation did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dispatched {
    pub dispatch: RunId,
    pub scheduled_at: DateTime<Utc>,
    /// Messages sent: one per tenant.
    pub dispatched: usize,
    /// Secrets under the prefix that name no valid tenant (not dispatched), and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<String>,
    pub seconds: f64,
}

/// Lists the tenants and sends one message per tenant to `queue`.
pub async fn dispatch(
    rt: &Runtime,
    queue: &WorkQueue,
    group: &Group,
    scheduled_at: DateTime<Utc>,
) -> Result<Dispatched, Error> {
    let started = Instant::now();
    let dispatch = RunId::new(Utc::now());
    let mut invalid = Vec::new();
    let messages: Vec<WorkMessage> = rt
        .tenants
        .list()
        .await?
        .into_iter()
        .filter_map(|tenant| match tenant {
            Ok(id) => Some(WorkMessage {
                tenant: id,
                group: group.name.to_owned(),
                dispatch: dispatch.clone(),
                scheduled_at,
                continues: None,
            }),
            Err(e) => {
                invalid.push(e.to_string());
                None
            }
        })
        .collect();
    queue.send_all(&messages).await?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(dispatch = %dispatch, tenants = messages.len(), seconds, "tick dispatched");
    Ok(Dispatched {
        dispatch,
        scheduled_at,
        dispatched: messages.len(),
        invalid,
        seconds,
    })
}

/// What a worker invocation returns: the reply the event source mapping reads (which
/// messages failed, and are retried), and the tenants' runs for logs and metrics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BatchResponse {
    #[serde(flatten)]
    pub sqs: SqsBatchResponse,
    #[serde(skip)]
    pub runs: Vec<RunSummary>,
}

/// Runs each message of `event` (the mapping sends one at a time) and reports the failures.
pub async fn work(
    rt: &Runtime,
    queue: &WorkQueue,
    group: &'static Group,
    event: SqsEvent,
    deadline: Option<SystemTime>,
) -> BatchResponse {
    let mut response = BatchResponse::default();
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let body = record.body.unwrap_or_default();
        let outcome = AssertUnwindSafe(work_one(rt, queue, group, &body, deadline))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(Error::panicked(panic)));
        let failed = match outcome {
            Ok(Some(run)) => {
                let failed = run.status == Status::Failed;
                response.runs.push(run);
                failed
            }
            Ok(None) => false,
            Err(e) => {
                tracing::error!(message_id = %id, error = %e, "work message failed");
                true
            }
        };
        if failed {
            response.sqs.add_failure(id);
        }
    }
    response
}

/// One message: `None` when there was nothing to run (put back for a busy tenant, or a
/// continuation already carried on).
async fn work_one(
    rt: &Runtime,
    queue: &WorkQueue,
    group: &'static Group,
    body: &str,
    deadline: Option<SystemTime>,
) -> Result<Option<RunSummary>, Error> {
    let message: WorkMessage = serde_json::from_str(body)
        .map_err(|e| Error::Invocation(format!("not a work message: {e}")))?;
    if message.group != group.name {
        return Err(Error::Invocation(format!(
            "a message for the {} group reached {}",
            message.group,
            group.function_name()
        )));
    }
    let tenant = message.tenant.clone();
    let span = tracing::info_span!("tenant", tenant = %tenant, dispatch = %message.dispatch);
    async {
        let started = Instant::now();
        let invocation = RunId::new(Utc::now());
        let budget = Budget::new(&rt.options, deadline, started);
        let lease = StateObject::new(&rt.store, layout::state(group.name, &tenant, "lease"));
        let heir = message.continues.as_ref().map(Carry::key);
        let claim = match &heir {
            Some(key) => Claim::Heir(key, message.scheduled_at),
            None => Claim::Tick(message.scheduled_at),
        };
        let mut lease = match HeldLease::acquire(lease, invocation.as_str(), budget.lease_until(), claim).await {
            Ok(lease) => lease,
            // A run for this tick has ended or is going, or a newer tick's is waiting: this
            // tick needs no run of its own. (A continuation is never dropped: its run is
            // partial without it.)
            Err(LeaseRefused::Served) => {
                tracing::info!("tick served by a run that ended, is going or waits; message dropped");
                return Ok(None);
            }
            Err(
                LeaseRefused::Held(Holder {
                    lease: Lease {
                        expires_at: until, ..
                    },
                    ..
                })
                | LeaseRefused::Wait(until),
            ) => {
                // A copy of a continuation whose step has run waits for nothing.
                if let Some(carry) = &message.continues
                    && group.kind == Kind::Snapshot
                    && left_for(rt, group, &tenant, carry).await?.is_none()
                {
                    tracing::info!(run_id = %carry.run, step = carry.step, "continuation already carried on");
                    return Ok(None);
                }
                // Not run twice at once: try again once the holder is done.
                let wait = (until - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(Duration::from_secs(1), MAX_DELAY);
                queue.send(&message, wait).await?;
                tracing::info!(wait_seconds = wait.as_secs(), "tenant busy; message put back");
                return Ok(None);
            }
            Err(LeaseRefused::Store(e)) => return Err(e.into()),
        };
        let resumed = match (&message.continues, group.kind) {
            (Some(carry), Kind::Snapshot) => {
                match left_for(rt, group, &tenant, carry).await? {
                    Some(c) => Some(c),
                    None => {
                        tracing::info!(run_id = %carry.run, step = carry.step, "continuation already carried on");
                        lease.release(false).await;
                        return Ok(None);
                    }
                }
            }
            _ => None,
        };
        let run = match &resumed {
            Some(c) => c.run_id.clone(),
            None => invocation,
        };
        let names: Vec<&'static str> = group.resources.iter().map(|r| r.name).collect();
        let tenant_run = runner::run_tenant(
            rt,
            &tenant,
            &run,
            &[(group, names)],
            &Window::Live,
            &budget,
            resumed.as_ref(),
        )
        .instrument(tracing::info_span!("run", run_id = %run))
        .await;
        // Save what is left (or, for a finished continuation, that nothing is), then either
        // hand the lease to the continuation and enqueue it, or release the lease.
        let carry_on = tenant_run.unfinished.into_iter().next();
        let state = match group.kind {
            Kind::Snapshot => carry_on.clone().or_else(|| {
                resumed.map(|done| Continuation::after(&run, group.name, Some(&done), Vec::new()))
            }),
            // The System Log's checkpoint is its continuation.
            Kind::EventLog => None,
        };
        let saved = match state {
            Some(state) => {
                let etag = state.save(&rt.store, &tenant).await?;
                Some((state, etag))
            }
            None => None,
        };
        let Some(carry_on) = carry_on else {
            let served = tenant_run.summary.status != Status::Failed;
            lease.release(served).await;
            return Ok(Some(RunSummary::finished(&run, vec![tenant_run.summary])));
        };
        let carry = carry_on.carry();
        // Held for the continuation, not released: a tick that comes round meanwhile must
        // not start a fresh run and abandon this one.
        lease
            .hand_over(&carry.key(), budget.handoff_until())
            .await?;
        let next = WorkMessage {
            continues: Some(carry.clone()),
            ..message.clone()
        };
        if let Err(e) = queue.send(&next, Duration::ZERO).await {
            lease.release(false).await;
            return Err(e);
        }
        tracing::info!(run_id = %run, step = carry.step, "ran out of time; continuation enqueued");
        // From now on a copy of this message is a duplicate. Should this write be lost, a
        // copy is taken for a failed send and carries the chain on beside the message just
        // sent: more invocations, never a page read or written twice.
        if let Some((state, etag)) = saved
            && let Err(e) = state.mark_sent(&rt.store, &tenant, &etag).await
        {
            tracing::warn!(error = %e, "could not record the continuation as sent");
        }
        Ok(Some(RunSummary::finished(&run, vec![tenant_run.summary])))
    }
    .instrument(span)
    .await
}

/// What is left of a snapshot run for the continuation `carry`: `None` once its step has run
/// (or the run is finished), and the message has nothing to do.
async fn left_for(
    rt: &Runtime,
    group: &Group,
    tenant: &TenantId,
    carry: &Carry,
) -> Result<Option<Continuation>, Error> {
    let saved = Continuation::load(&rt.store, group.name, tenant, carry).await?;
    Ok(saved.filter(|c| !c.resources.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_sample_work_event_is_one_tenants_message() {
        let sample: SqsEvent =
            serde_json::from_str(include_str!("../../events/sqs-work.json")).unwrap();
        let body = sample.records[0].body.as_deref().expect("a body");
        let message: WorkMessage = serde_json::from_str(body).unwrap();
        assert_eq!(
            (message.tenant.as_str(), message.group.as_str()),
            ("demo", "users")
        );
    }

    #[test]
    fn the_reply_is_what_the_event_source_mapping_reads() {
        let mut reply = BatchResponse::default();
        reply.sqs.add_failure("m1");
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            json!({"batchItemFailures": [{"itemIdentifier": "m1"}]})
        );
    }
}
