//! What a function builds once per container (or the CLI once per command) and reuses: the
//! run-wide options, the object store, where tenants come from, the HTTP client for Okta, and
//! the work queue.

use std::path::PathBuf;
use std::time::Duration;

use crate::env::Environment;
use crate::error::Error;
use crate::okta::{PublicResolver, RetryPolicy};
use crate::queue::WorkQueue;
use crate::refresh::RefreshPolicy;
use crate::sink::Formats;
use crate::store::ObjectStore;
use crate::tenants::TenantSource;

/// Run-wide settings; [`Environment`] reads them from the process environment.
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
    /// Extra CA certificates for Okta's TLS (`SSL_CERT_FILE`): a proxy that inspects TLS.
    pub ca_bundle: Option<PathBuf>,
    /// Proxy settings (`HTTPS_PROXY` and the like), whose hosts are reached as they resolve.
    pub proxies: Vec<String>,
    /// Print CloudWatch metric lines (Embedded Metric Format) on stdout: in Lambda.
    pub metric_lines: bool,
    /// When snapshot runs are incremental (`OKTA_INGEST_REFRESH`, `OKTA_INGEST_RECONCILE_HOURS`).
    pub refresh: RefreshPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tenant_concurrency: 4,
            allow_http_loopback: false,
            time_budget: None,
            formats: Formats::default(),
            retry: RetryPolicy::default(),
            ca_bundle: None,
            proxies: Vec::new(),
            metric_lines: false,
            refresh: RefreshPolicy::default(),
        }
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
    /// under `OKTA_INGEST_SECRET_PREFIX`, the work queue in `OKTA_INGEST_QUEUE_URL`, if any.
    pub async fn from_env(env: Environment) -> Result<Self, Error> {
        let aws = aws().await;
        Ok(Self {
            store: ObjectStore::open(env.required_output()?, &aws)?,
            tenants: TenantSource::secrets_manager(&env.secret_prefix, &aws),
            http: http_client(&env.options)?,
            queue: env.queue_url.map(|url| WorkQueue::new(url, &aws)),
            options: env.options,
        })
    }
}

/// The object store at `root` for a command-line run: the AWS configuration is loaded only for
/// an `s3://` root, so a local folder never looks for AWS credentials or a region.
pub async fn store_at(root: &str) -> Result<ObjectStore, Error> {
    let aws = if root.starts_with("s3://") {
        aws().await
    } else {
        aws_config::SdkConfig::builder().build()
    };
    Ok(ObjectStore::open(root, &aws)?)
}

/// The process's AWS configuration (region, credentials, `AWS_ENDPOINT_URL`) from the standard
/// AWS environment. Loaded once per process; the store, the secrets and the queue share it.
pub async fn aws() -> aws_config::SdkConfig {
    aws_config::load_from_env().await
}

/// The HTTP client for Okta: rustls, timeouts, no redirects (a redirect could carry a
/// credential to another origin), names resolved only to public addresses (loopback too with
/// the `options`' opt-in), and the options' extra CA bundle, if any.
pub fn http_client(options: &Options) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .dns_resolver(PublicResolver::new(
            options.allow_http_loopback,
            &options.proxies,
        ))
        .user_agent(concat!("okta-ingest/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        // Okta ends a slow System Log query at 30 s; anything slower than this is stuck.
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(50));
    if let Some(path) = &options.ca_bundle {
        let failed = |e: &dyn std::fmt::Display| {
            Error::Environment(format!("SSL_CERT_FILE {}: {e}", path.display()))
        };
        let pem = std::fs::read(path).map_err(|e| failed(&e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| failed(&e))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::Environment(format!("building the HTTP client: {e}")))
}
