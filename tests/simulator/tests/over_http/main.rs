//! The simulator exercised over real HTTP with reqwest, as a client of Okta would see it.

mod auth;
mod churn;
mod faults;
mod helpers;
mod rate_limits;
mod resources;
mod system_log;
mod users;
