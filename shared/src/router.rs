//! The Lambda handler's body, beside `lambda.rs`: an SQS batch goes to the work queue's worker,
//! a check to the connection check, a tick with a queue to the dispatcher, anything else to a
//! direct run.

use std::time::SystemTime;

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{self, IntegrationStatus};
use crate::error::Error;
use crate::invocation::{Action, Event, Target};
use crate::resources::{self, Group, Kind};
use crate::runner::run;
use crate::runtime::Runtime;
use crate::summary::RunSummary;
use crate::system_log::Window;
use crate::work::{self, BatchResponse, Dispatched};

/// What an invocation returns: a run's summary, the connection check's statuses, a tick's
/// dispatch, or (to SQS) the messages that failed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply {
    Run(RunSummary),
    Check { checks: Vec<IntegrationStatus> },
    Dispatch(Dispatched),
    Work(BatchResponse),
}

/// The Lambda handler's body for `group`: parse the payload, run (or check), summarise.
/// `deadline` is the invocation's deadline as Lambda gives it, if it is a real one.
pub async fn handle(
    rt: &Runtime,
    group: &'static Group,
    payload: Value,
    deadline: Option<SystemTime>,
) -> Result<Reply, Error> {
    let invocation = match Event::parse(payload)? {
        Event::Invocation(invocation) => invocation,
        Event::Work(batch) => return work(rt, group, batch, deadline).await,
    };
    if invocation.action == Action::Check {
        return Ok(Reply::Check {
            checks: check::tenants(rt, &invocation.target).await?,
        });
    }
    if invocation.window != Window::Live && group.kind != Kind::EventLog {
        return Err(Error::Invocation(format!(
            "since/until are for the System Log (okta-logs), not {}",
            group.function_name()
        )));
    }
    // With a work queue, a whole tick fans out; a one-tenant (or partial) run stays here.
    if let (Some(queue), Target::AllTenants, Window::Live, None) = (
        &rt.queue,
        &invocation.target,
        &invocation.window,
        &invocation.resources,
    ) {
        let scheduled_at = invocation.scheduled_at.unwrap_or_else(Utc::now);
        return Ok(Reply::Dispatch(
            work::dispatch(rt, queue, group, scheduled_at).await?,
        ));
    }
    let names: Vec<&'static str> = match &invocation.resources {
        None => group.resources.iter().map(|r| r.name).collect(),
        Some(list) => {
            let picked = resources::select(list).map_err(Error::Invocation)?;
            let names: Vec<&'static str> = picked
                .into_iter()
                .filter(|(g, _)| g.name == group.name)
                .flat_map(|(_, names)| names)
                .collect();
            if names.is_empty() {
                return Err(Error::Invocation(format!(
                    "none of {list:?} is read by {}",
                    group.function_name()
                )));
            }
            names
        }
    };
    run(
        rt,
        &invocation.target,
        &[(group, names)],
        &invocation.window,
        deadline,
    )
    .await
    .map(Reply::Run)
}

/// A batch from the work queue: each message is one tenant's run.
async fn work(
    rt: &Runtime,
    group: &'static Group,
    batch: SqsEvent,
    deadline: Option<SystemTime>,
) -> Result<Reply, Error> {
    let queue = rt.queue.as_ref().ok_or_else(|| {
        Error::Environment(
            "an SQS event arrived, but OKTA_INGEST_QUEUE_URL (where continuations go) is not set"
                .into(),
        )
    })?;
    Ok(Reply::Work(
        work::work(rt, queue, group, batch, deadline).await,
    ))
}
