//! The crate's error at its boundary (the Lambda handler, the CLI): what failed, for which
//! tenant, and what to do. Messages never carry secret values.

use crate::okta::OktaError;
use crate::store::StoreError;
use crate::tenant::ConfigError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("tenant {tenant}: secret {secret} is invalid: {source}")]
    Config {
        tenant: String,
        secret: String,
        source: ConfigError,
    },
    #[error("tenant {tenant}: cannot read secret {secret}: {detail}")]
    SecretUnreadable {
        tenant: String,
        secret: String,
        detail: String,
    },
    #[error("cannot list tenant secrets under {prefix:?}: {detail}")]
    ListTenants { prefix: String, detail: String },
    #[error("tenant {tenant}: {source}")]
    Okta { tenant: String, source: OktaError },
    #[error("invalid invocation: {0}")]
    Invocation(String),
    #[error("configuration: {0}")]
    Environment(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("work queue: {0}")]
    Queue(String),
}

impl Error {
    /// A tenant's run that panicked, caught so that the other tenants carry on.
    pub fn panicked() -> Self {
        Error::Invocation("the tenant's run panicked (a bug: please report it)".into())
    }
}
