//! The events a progress display follows: every resource's work runs inside a `resource`
//! span, and inside it the declared progress events of [`crate::okta::progress`] (pages,
//! rate-limit waits, retries) tell what it does. Logs at the default level never show them;
//! the CLI's terminal display subscribes to them.

pub use crate::okta::progress::{Progress, TARGET, decode, page};
use crate::resources::Resource;

/// The span all of one resource's requests and pages run in.
pub fn resource_span(resource: &Resource) -> tracing::Span {
    tracing::info_span!("resource", resource = resource.name)
}
