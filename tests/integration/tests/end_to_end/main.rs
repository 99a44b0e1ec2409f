//! The end-to-end tests: the handlers against the Okta simulator and moto, one module per
//! concern, linked into one binary (each test binary links the whole library and AWS SDK, about
//! 60 MB and a link step each). `secrets.rs` and `real_org_storm.rs` stay binaries of their
//! own: their log capture must be the only thing running in its process.

mod auth;
mod changes;
mod contract;
mod failures;
mod fan_out;
mod incremental;
mod ocsf;
mod parquet;
mod pii;
mod posture;
mod rate_limits;
mod real_org;
mod resource_groups;
mod system_log;
mod users;
