//! okta-ingest: pull Okta data for many tenants and land it as partitioned Parquet and/or gzip
//! NDJSON.
//!
//! A Lambda invocation goes `lambda` → `router` → `work` (queued) or `runner` → `harvest` /
//! `system_log` → `okta` (the client, which imports nothing else of the crate) and `store`. No
//! module imports one that imports it back.
//!
//! | module | what it is for |
//! |---|---|
//! | [`athena`] | Athena DDL for the Parquet parts, rendered from the column declarations |
//! | [`budget`] | a run's time: its deadline, the margin kept before it, how long leases hold |
//! | [`changes`] | the change feed: what changed between complete snapshots, named and attributed |
//! | [`check`] | the connection check: one cheap call per resource, "Active" or what to fix |
//! | [`checkpoint`] | the System Log's cursor and de-duplication boundary |
//! | [`columns`] | each resource's Parquet columns, declared as data: name, JSON pointer, type |
//! | [`continuation`] | carrying a snapshot that ran out of time on in the next invocation |
//! | [`env`] | the process environment: every variable read, once, and checked |
//! | [`error`] | the crate's boundary error: what failed, for which tenant, what to do |
//! | [`harvest`] | reading a group's resources for one tenant: pages in, parts and manifests out |
//! | [`invocation`] | what an invocation asks for (tick, tenant, action, resources, backfill), parsed once |
//! | [`lambda`] | the entry point each function binary calls with its group |
//! | [`layout`] | every object key: partitions, manifests, state, status |
//! | [`lease`] | one run per tenant and group at a time: ticks coalesced, handed to continuations |
//! | [`manifest`] | the per-run, per-resource record of what was written and whether it is whole |
//! | [`metrics`] | CloudWatch Embedded Metric Format lines per tenant and resource |
//! | [`ocsf`] | the System Log in OCSF 1.8.0: the mapping table and one record per event |
//! | [`okta`] | the Okta client: org URL, auth (SSWS, OAuth, private_key_jwt, DPoP), pacing, retries, pages |
//! | [`parquet_part`] | one Parquet part being written: typed columns and `raw`, zstd row groups |
//! | [`pii`] | personal data controls: drop or keyed-hash listed fields before writing |
//! | [`process`] | a run's host and process id, and whether a process on this host still runs |
//! | [`progress`] | the events a progress display follows: resource spans and page counts |
//! | [`queue`] | the SQS work queue: one message per tenant and group, sent in batches |
//! | [`refresh`] | incremental runs: what changed since the current state, merged into a complete one; reconciliation |
//! | [`resources`] | the table of resources and the groups (one Lambda each) that bundle them |
//! | [`router`] | the Lambda handler's body: SQS batch, check, tick dispatch or direct run |
//! | [`runner`] | target tenants → each tenant's groups, in isolation → a summary |
//! | [`runtime`] | what a process builds once: options, store, tenant source, HTTP client, queue |
//! | [`scope`] | what every resource run of one tenant shares: client, store, ids, PII policy, time |
//! | [`seen`] | writing each record once when Okta lists it twice (users changing status mid-run) |
//! | [`sink`] | streamed parts in the output formats: gzip NDJSON, Parquet |
//! | [`store`] | where output lands: S3 or a local folder, with conditional writes and streamed uploads |
//! | [`summary`] | what a run reports, per resource, tenant and run |
//! | [`system_log`] | the System Log: cursor polling, event-time partitions, exactly once across crashes |
//! | [`telemetry`] | log setup outside Lambda |
//! | [`tenant`] | a tenant's secret: schema, validation, credentials that cannot be printed |
//! | [`tenants`] | where tenants come from: Secrets Manager or one local config |
//! | [`work`] | fan-out: a tick dispatched as messages, a message run as one tenant, continuations |

pub mod athena;
pub mod budget;
pub mod changes;
pub mod check;
pub mod checkpoint;
pub mod columns;
pub mod continuation;
pub mod env;
pub mod error;
pub mod harvest;
pub mod heap;
pub mod invocation;
pub mod lambda;
pub mod layout;
pub mod lease;
pub mod manifest;
pub mod metrics;
pub mod ocsf;
pub mod okta;
mod outcome;
pub mod parquet_part;
pub mod pii;
pub mod process;
pub mod progress;
pub mod queue;
pub mod refresh;
pub mod resources;
pub mod router;
pub mod runner;
pub mod runtime;
pub mod scope;
pub mod seen;
pub mod sink;
pub mod store;
pub mod summary;
pub mod system_log;
pub mod telemetry;
pub mod tenant;
pub mod tenants;
pub mod work;

pub use error::Error;
