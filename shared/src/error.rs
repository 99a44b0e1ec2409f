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
    #[error("the tenant's run panicked ({0}): a bug, please report it")]
    Panicked(String),
}

impl Error {
    /// A tenant's run that panicked, from what `catch_unwind` caught (the panic's message), so
    /// that the other tenants carry on and the panic is reported as one.
    pub fn panicked(payload: Box<dyn std::any::Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Error::Panicked(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_reported_as_one_with_its_message() {
        let caught = std::panic::catch_unwind(|| panic!("index out of bounds: {}", 7)).unwrap_err();
        let e = Error::panicked(caught);
        assert!(
            matches!(&e, Error::Panicked(m) if m == "index out of bounds: 7"),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("panicked (index out of bounds: 7)"),
            "{e}"
        );
        let caught = std::panic::catch_unwind(|| panic!("static")).unwrap_err();
        assert!(Error::panicked(caught).to_string().contains("(static)"));
    }
}
