//! What a function builds once per container (or the CLI once per command) and reuses: the
//! run-wide options, the object store, where tenants come from, the HTTP client for Okta, and
//! the work queue.

use std::time::Duration;

use crate::error::Error;
use crate::okta::{PublicResolver, RetryPolicy};
use crate::queue::WorkQueue;
use crate::sink::Formats;
use crate::store::ObjectStore;
use crate::tenants::{DEFAULT_SECRET_PREFIX, TenantSource};

/// Run-wide settings, read from the environment once (see the README's configuration table).
#[derive(Debug, Clone)]
pub struct Options {
    /// Tenants processed at once (`OKTA_INGEST_TENANT_CONCURRENCY`, default 4).
    pub tenant_concurrency: usize,
    /// Plain-http org URLs on loopback (`OKTA_INGEST_ALLOW_HTTP_LOOPBACK=1`): tests and the demo.
    pub allow_http_loopback: bool,
    /// How long a run may take when the invoker gives no usable deadline
    /// (`OKTA_INGEST_TIME_BUDGET_SECS`; unset means no limit).
    pub time_budget: Option<Duration>,
    /// The part formats written (`OKTA_INGEST_FORMAT`: parquet, ndjson or both; default parquet).
    pub formats: Formats,
    pub retry: RetryPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tenant_concurrency: 4,
            allow_http_loopback: false,
            time_budget: None,
            formats: Formats::default(),
            retry: RetryPolicy::default(),
        }
    }
}

impl Options {
    pub fn from_env() -> Result<Self, Error> {
        let mut options = Options::default();
        if let Some(n) = env_number("OKTA_INGEST_TENANT_CONCURRENCY")? {
            options.tenant_concurrency = (n as usize).max(1);
        }
        options.allow_http_loopback =
            std::env::var("OKTA_INGEST_ALLOW_HTTP_LOOPBACK").as_deref() == Ok("1");
        options.time_budget = env_number("OKTA_INGEST_TIME_BUDGET_SECS")?.map(Duration::from_secs);
        if let Ok(formats) = std::env::var("OKTA_INGEST_FORMAT") {
            options.formats = formats
                .parse()
                .map_err(|e| Error::Environment(format!("OKTA_INGEST_FORMAT: {e}")))?;
        }
        Ok(options)
    }
}

fn env_number(name: &str) -> Result<Option<u64>, Error> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::Environment(format!("{name} must be a whole number"))),
    }
}

/// What a function builds once per container (or the CLI once per command) and reuses.
pub struct Runtime {
    pub store: ObjectStore,
    pub tenants: TenantSource,
    pub http: reqwest::Client,
    pub options: Options,
    /// The function's own work queue: with one, a tick fans out one message per tenant.
    pub queue: Option<WorkQueue>,
}

impl Runtime {
    /// The Lambda setup: output root from `OKTA_INGEST_OUTPUT`, tenants from Secrets Manager
    /// under `OKTA_INGEST_SECRET_PREFIX`.
    pub async fn from_env() -> Result<Self, Error> {
        let output = std::env::var("OKTA_INGEST_OUTPUT").map_err(|_| {
            Error::Environment(
                "OKTA_INGEST_OUTPUT is not set (s3://bucket/prefix or a folder)".into(),
            )
        })?;
        let prefix = std::env::var("OKTA_INGEST_SECRET_PREFIX")
            .unwrap_or_else(|_| DEFAULT_SECRET_PREFIX.to_owned());
        let options = Options::from_env()?;
        let aws = aws().await;
        Ok(Self {
            store: ObjectStore::open(&output, &aws)?,
            tenants: TenantSource::secrets_manager(&prefix, &aws),
            http: http_client(&options)?,
            options,
            queue: WorkQueue::from_env(&aws),
        })
    }
}

/// The process's AWS configuration (region, credentials, `AWS_ENDPOINT_URL`) from the standard
/// AWS environment. Loaded once per process; the store, the secrets and the queue share it.
pub async fn aws() -> aws_config::SdkConfig {
    aws_config::load_from_env().await
}

/// The HTTP client for Okta: rustls, timeouts, no redirects (a redirect could carry a
/// credential to another origin), names resolved only to public addresses (loopback too with
/// the `options`' opt-in), and the extra CA bundle in `SSL_CERT_FILE`, if any.
pub fn http_client(options: &Options) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .dns_resolver(PublicResolver::new(options.allow_http_loopback))
        .user_agent(concat!("okta-ingest/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        // Okta ends a slow System Log query at 30 s; anything slower than this is stuck.
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(50));
    if let Ok(path) = std::env::var("SSL_CERT_FILE") {
        let pem = std::fs::read(&path)
            .map_err(|e| Error::Environment(format!("SSL_CERT_FILE {path}: {e}")))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Error::Environment(format!("SSL_CERT_FILE {path}: {e}")))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::Environment(format!("building the HTTP client: {e}")))
}
