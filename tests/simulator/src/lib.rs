//! okta-sim: a simulated Okta org served over real HTTP on 127.0.0.1, for the tests, the
//! `okta-ingest demo` command and benchmarks. It behaves like Okta on the wire: SSWS and
//! OAuth 2.0 (client secret, `private_key_jwt`, DPoP) authentication, scopes, cursor paging
//! in `Link` headers or bodies, per-bucket rate limits and the org's concurrency limit, Okta's
//! error objects, and faults injected at runtime.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = okta_sim::Simulator::start(okta_sim::SimConfig::small()).await?;
//! let users_url = format!("{}/api/v1/users?limit=200", sim.url());
//! // … call it with `Authorization: SSWS {okta_sim::API_TOKEN}`, compare with sim.dataset().users
//! # Ok(()) }
//! ```
//!
//! Modules:
//! - `config`: [`SimConfig`], credentials, engine, sizes
//! - `server`: [`Simulator`], start and stop
//! - `data`: [`Dataset`], the generated org
//! - `pipeline`: one request from arrival to response headers
//! - `routes`: the endpoint table and its handlers
//! - `paging`: `limit`/`after` cursors, `Link` headers and body links
//! - `auth`: SSWS, Bearer and DPoP callers, scopes
//! - `token_endpoint`: `POST /oauth2/v1/token`
//! - `dpop`: DPoP proof verification
//! - `access_tokens`, `replay`: issued tokens, single-use `jti`s
//! - `rate_limit`: buckets and windows, requests in flight
//! - `faults`: [`Faults`], runtime fault injection
//! - `foreign`: the foreign origin for cross-origin `next` links
//! - `stats`: [`Stats`]
//! - `system_log`: [`SystemLog`], events in persistence order, live appends
//! - `state`: what every request shares
//! - `reply`: Okta-shaped responses and errors
//! - `ids`: Okta-looking ids and timestamps
//! - [`keys`]: fixed test keys

// Handlers refuse by returning a finished `Response` early, as axum does; boxing every
// refusal would only add noise.
#![allow(clippy::result_large_err)]

mod access_tokens;
mod auth;
mod churn;
mod config;
mod data;
mod dpop;
mod faults;
mod filter;
mod foreign;
mod ids;
pub mod keys;
mod paging;
mod pipeline;
mod rate_limit;
mod replay;
mod reply;
mod routes;
mod server;
mod state;
mod stats;
mod system_log;
mod token_endpoint;

pub use churn::Change;
pub use config::{
    API_TOKEN, ClientAuth, DEFAULT_RATE_LIMIT, Engine, OAuthClient, READ_SCOPES, SimConfig,
};
pub use data::Dataset;
pub use faults::Faults;
pub use rate_limit::Bucket;
pub use server::Simulator;
pub use stats::{ForeignRequest, Stats};
pub use system_log::SystemLog;
