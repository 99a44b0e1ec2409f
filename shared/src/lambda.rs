//! The Lambda entry point every function binary calls with its resource group.
//!
//! In Lambda (`AWS_LAMBDA_RUNTIME_API` set) it serves invocations; anywhere else it runs one
//! invocation with the event JSON from a file argument or stdin and prints the summary, so the
//! same binary can be tried without an emulator.

use std::io::Read;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;
use tracing::Instrument;

use crate::env::Environment;
use crate::error::Error;
use crate::manifest::Status;
use crate::metrics;
use crate::resources::Group;
use crate::router::{self, Reply};
use crate::runtime::Runtime;
use crate::summary::RunSummary;

impl From<Error> for Diagnostic {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::Config { .. } | Error::SecretUnreadable { .. } => "TenantConfig",
            Error::ListTenants { .. } => "ListTenants",
            Error::Okta { .. } => "Okta",
            Error::Invocation(_) => "Invocation",
            Error::Environment(_) => "Environment",
            Error::Store(_) => "Store",
            Error::Queue(_) => "Queue",
            Error::Panicked(_) => "Panic",
        };
        Diagnostic {
            error_type: kind.to_owned(),
            error_message: e.to_string(),
        }
    }
}

/// Serves `group` as a Lambda function (or runs it once outside Lambda).
pub async fn serve(group: &'static Group) -> Result<(), lambda_runtime::Error> {
    let env = Environment::read()?;
    if !env.in_lambda {
        return run_once(group, env).await;
    }
    lambda_runtime::tracing::init_default_subscriber();
    let rt = Runtime::from_env(env).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        invoke(&rt, group, event)
    }))
    .await
}

/// One invocation. The summary comes back even when some tenants failed; only when every
/// tenant failed is the invocation an error (so Lambda's error metric and retries see it).
pub async fn invoke(
    rt: &Runtime,
    group: &'static Group,
    event: LambdaEvent<Value>,
) -> Result<Reply, Error> {
    let (payload, context) = event.into_parts();
    let span = tracing::info_span!("invocation", function = %group.function_name(), request_id = %context.request_id);
    // Boxed: the handler's future is deep, and the runtime's nesting adds to it.
    let reply = Box::pin(router::handle(rt, group, payload, Some(context.deadline())))
        .instrument(span)
        .await?;
    let summary = match reply {
        Reply::Run(summary) => summary,
        Reply::Work(work) => {
            work.runs
                .iter()
                .for_each(|run| print_metrics(rt, group, run));
            return Ok(Reply::Work(work));
        }
        other => return Ok(other),
    };
    print_metrics(rt, group, &summary);
    let failed: Vec<String> = summary
        .tenants
        .iter()
        .filter(|t| t.status == Status::Failed)
        .map(|t| match &t.error {
            Some(e) => e.clone(),
            None => {
                let reasons: Vec<String> = t
                    .resources
                    .iter()
                    .map(|r| {
                        format!(
                            "{}: {}",
                            r.resource,
                            r.reason.as_deref().unwrap_or("failed")
                        )
                    })
                    .collect();
                format!("tenant {}: {}", t.tenant, reasons.join("; "))
            }
        })
        .collect();
    if !summary.tenants.is_empty() && failed.len() == summary.tenants.len() {
        return Err(Error::Invocation(format!(
            "every tenant failed: {}",
            failed.join("; ")
        )));
    }
    Ok(Reply::Run(summary))
}

/// In Lambda, CloudWatch reads metrics from these stdout lines (Embedded Metric Format).
fn print_metrics(rt: &Runtime, group: &Group, summary: &RunSummary) {
    if rt.options.metric_lines {
        for line in metrics::emf_lines(&group.function_name(), summary) {
            println!("{line}");
        }
    }
}

async fn run_once(group: &'static Group, env: Environment) -> Result<(), lambda_runtime::Error> {
    crate::telemetry::init_cli(&env);
    let mut text = String::new();
    match std::env::args().nth(1) {
        Some(path) => text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?,
        None => {
            std::io::stdin().read_to_string(&mut text)?;
        }
    }
    let payload: Value =
        serde_json::from_str(&text).map_err(|e| format!("the event is not JSON: {e}"))?;
    let rt = Runtime::from_env(env).await?;
    // Boxed, as in `invoke`: the handler's future is deep.
    let reply = Box::pin(router::handle(&rt, group, payload, None)).await?;
    println!("{}", serde_json::to_string_pretty(&reply)?);
    let healthy = match &reply {
        Reply::Run(summary) => summary.status != Status::Failed,
        Reply::Check { checks } => checks.iter().all(|c| c.active),
        Reply::Dispatch(_) => true,
        Reply::Work(work) => work.sqs.batch_item_failures.is_empty(),
    };
    if !healthy {
        std::process::exit(1);
    }
    Ok(())
}
