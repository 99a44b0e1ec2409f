//! The events a progress display follows: every resource's work runs inside a `resource` span,
//! and each page read emits one `page` event under the [`TARGET`] target. Logs at the default
//! level never show them; the CLI's terminal display subscribes to them.

use crate::resources::Resource;

/// The `tracing` target of progress events.
pub const TARGET: &str = "okta_ingest::progress";

/// The span all of one resource's requests and pages run in.
pub fn resource_span(resource: &Resource) -> tracing::Span {
    tracing::info_span!("resource", resource = resource.name)
}

/// One page read, holding `records` records.
pub fn page(records: usize) {
    tracing::debug!(target: TARGET, records, "page");
}
