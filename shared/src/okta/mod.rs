//! The Okta API client: credentials → pacer → retries → one stream of pages.

mod auth;
mod buckets;
mod client;
mod credentials;
mod dpop;
mod error;
mod org_url;
mod pacer;
mod page;
pub mod progress;
mod resolver;
mod retry;
mod transport;

pub use buckets::bucket_of;
pub use client::OktaClient;
pub use credentials::{Credentials, SigningKey};
pub use error::{ErrorDetail, OktaError, TokenRefusal};
pub use org_url::{OrgUrl, OrgUrlError};
pub use page::{Page, Shape, next_link};
pub use resolver::PublicResolver;
pub use retry::RetryPolicy;
pub use transport::{RequestCounters, RequestStats, Response};
