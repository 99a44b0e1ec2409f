//! The process environment: every variable okta-ingest reads is named here, read once and
//! checked, so a bad value fails at start with the variable's name. The README's
//! configuration table documents them; a test holds the two together.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::refresh::RefreshPolicy;
use crate::runtime::Options;
use crate::tenants::DEFAULT_SECRET_PREFIX;

/// Set by Lambda; without it a function binary runs one invocation and exits.
const LAMBDA_RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";
const OUTPUT: &str = "OKTA_INGEST_OUTPUT";
const SECRET_PREFIX: &str = "OKTA_INGEST_SECRET_PREFIX";
const TENANT_CONCURRENCY: &str = "OKTA_INGEST_TENANT_CONCURRENCY";
const TIME_BUDGET_SECS: &str = "OKTA_INGEST_TIME_BUDGET_SECS";
const QUEUE_URL: &str = "OKTA_INGEST_QUEUE_URL";
const ALLOW_HTTP_LOOPBACK: &str = "OKTA_INGEST_ALLOW_HTTP_LOOPBACK";
const LOG: &str = "OKTA_INGEST_LOG";
const FORMAT: &str = "OKTA_INGEST_FORMAT";
const REFRESH: &str = "OKTA_INGEST_REFRESH";
const RECONCILE_HOURS: &str = "OKTA_INGEST_RECONCILE_HOURS";
const SSL_CERT_FILE: &str = "SSL_CERT_FILE";
const NO_COLOR: &str = "NO_COLOR";
/// Where reqwest takes proxies from: names reached through a proxy are resolved by it.
const PROXY_VARIABLES: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Every variable the documentation table must list (the AWS SDK's and `RUST_LOG` are read
/// by their own crates and documented beside these).
pub const DOCUMENTED: &[&str] = &[
    OUTPUT,
    SECRET_PREFIX,
    TENANT_CONCURRENCY,
    TIME_BUDGET_SECS,
    QUEUE_URL,
    ALLOW_HTTP_LOOPBACK,
    LOG,
    FORMAT,
    REFRESH,
    RECONCILE_HOURS,
    SSL_CERT_FILE,
    NO_COLOR,
];

/// The environment, as read at start.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Running inside Lambda (`AWS_LAMBDA_RUNTIME_API` set).
    pub in_lambda: bool,
    /// `OKTA_INGEST_OUTPUT`: `s3://bucket/prefix` or a folder.
    pub output: Option<String>,
    /// `OKTA_INGEST_SECRET_PREFIX`: where tenant secrets live in Secrets Manager.
    pub secret_prefix: String,
    /// `OKTA_INGEST_QUEUE_URL`: the function's own work queue.
    pub queue_url: Option<String>,
    /// The run-wide options the variables set.
    pub options: Options,
    /// `OKTA_INGEST_LOG=json`: JSON log lines outside Lambda.
    pub json_logs: bool,
    /// `NO_COLOR` set and not empty: no colour even at a terminal.
    pub no_color: bool,
}

impl Environment {
    /// Reads the process environment.
    pub fn read() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `var` (the process environment, or a table in tests).
    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let number = |name: &str| -> Result<Option<u64>, Error> {
            set(name)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| Error::Environment(format!("{name} must be a whole number")))
                })
                .transpose()
        };
        let in_lambda = var(LAMBDA_RUNTIME_API).is_some();
        let defaults = Options::default();
        let options = Options {
            tenant_concurrency: number(TENANT_CONCURRENCY)?
                .map_or(defaults.tenant_concurrency, |n| (n as usize).max(1)),
            allow_http_loopback: var(ALLOW_HTTP_LOOPBACK).as_deref() == Some("1"),
            time_budget: number(TIME_BUDGET_SECS)?.map(Duration::from_secs),
            ca_bundle: set(SSL_CERT_FILE).map(PathBuf::from),
            proxies: PROXY_VARIABLES.iter().filter_map(|v| set(v)).collect(),
            metric_lines: in_lambda,
            formats: match set(FORMAT) {
                Some(v) => v
                    .parse()
                    .map_err(|e| Error::Environment(format!("{FORMAT}: {e}")))?,
                None => defaults.formats,
            },
            refresh: RefreshPolicy {
                mode: match set(REFRESH) {
                    Some(v) => v
                        .trim()
                        .parse()
                        .map_err(|e| Error::Environment(format!("{REFRESH}: {e}")))?,
                    None => defaults.refresh.mode,
                },
                reconcile_every: match number(RECONCILE_HOURS)? {
                    Some(0) => {
                        return Err(Error::Environment(format!(
                            "{RECONCILE_HOURS} must be at least 1"
                        )));
                    }
                    Some(hours) => chrono::Duration::hours(hours as i64),
                    None => defaults.refresh.reconcile_every,
                },
                overlap: defaults.refresh.overlap,
            },
            ..defaults
        };
        Ok(Self {
            in_lambda,
            output: set(OUTPUT),
            secret_prefix: set(SECRET_PREFIX).unwrap_or_else(|| DEFAULT_SECRET_PREFIX.to_owned()),
            queue_url: set(QUEUE_URL),
            options,
            json_logs: var(LOG).as_deref() == Some("json"),
            no_color: set(NO_COLOR).is_some(),
        })
    }

    /// The output root, which a function needs.
    pub fn required_output(&self) -> Result<&str, Error> {
        self.output.as_deref().ok_or_else(|| {
            Error::Environment(format!(
                "{OUTPUT} is not set (s3://bucket/prefix or a folder)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refresh::RefreshMode;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Environment, Error> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Environment::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn unset_means_the_defaults() {
        let env = read(&[]).unwrap();
        assert!(!env.in_lambda && !env.json_logs && !env.no_color);
        assert_eq!(env.secret_prefix, DEFAULT_SECRET_PREFIX);
        assert_eq!((&env.output, &env.queue_url), (&None, &None));
        assert_eq!(env.options.tenant_concurrency, 4);
        assert!(!env.options.allow_http_loopback && env.options.time_budget.is_none());
        let e = env.required_output().unwrap_err().to_string();
        assert!(e.contains(OUTPUT), "{e}");
    }

    #[test]
    fn values_are_read_and_checked() {
        let env = read(&[
            (LAMBDA_RUNTIME_API, "127.0.0.1:9001"),
            (OUTPUT, "s3://b/p"),
            (TENANT_CONCURRENCY, " 0 "),
            (TIME_BUDGET_SECS, "600"),
            (QUEUE_URL, "  "),
            (ALLOW_HTTP_LOOPBACK, "1"),
            (LOG, "json"),
            (NO_COLOR, ""),
            ("https_proxy", "http://proxy.corp:3128"),
        ])
        .unwrap();
        assert!(env.in_lambda && env.json_logs && !env.no_color);
        assert_eq!(env.required_output().unwrap(), "s3://b/p");
        assert_eq!(env.queue_url, None, "blank is unset");
        assert_eq!(env.options.tenant_concurrency, 1, "at least one");
        assert_eq!(env.options.time_budget, Some(Duration::from_secs(600)));
        assert!(env.options.allow_http_loopback && env.options.metric_lines);
        assert_eq!(env.options.proxies, ["http://proxy.corp:3128"]);
        let both = read(&[(FORMAT, "both")]).unwrap();
        assert_eq!(both.options.formats, crate::sink::Formats::Both);
        let e = read(&[(FORMAT, "csv")]).unwrap_err().to_string();
        assert!(
            e.contains("OKTA_INGEST_FORMAT") && e.contains("parquet, ndjson or both"),
            "{e}"
        );
        let e = read(&[(REFRESH, "sometimes")]).unwrap_err().to_string();
        assert!(
            e.contains("OKTA_INGEST_REFRESH") && e.contains("auto or full"),
            "{e}"
        );
        let e = read(&[(RECONCILE_HOURS, "0")]).unwrap_err().to_string();
        assert!(e.contains("at least 1"), "{e}");
        let env = read(&[(REFRESH, "full"), (RECONCILE_HOURS, "6")]).unwrap();
        assert_eq!(env.options.refresh.mode, RefreshMode::Full);
        assert_eq!(
            env.options.refresh.reconcile_every,
            chrono::Duration::hours(6)
        );
        let e = read(&[(TIME_BUDGET_SECS, "10m")]).unwrap_err().to_string();
        assert!(
            e.contains("OKTA_INGEST_TIME_BUDGET_SECS must be a whole number"),
            "{e}"
        );
    }

    #[test]
    fn the_readme_documents_every_variable() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("\n### Environment\n")
            .nth(1)
            .and_then(|rest| rest.split("\n### ").next())
            .expect("the README has an Environment section");
        for name in DOCUMENTED.iter().chain(PROXY_VARIABLES.iter().step_by(2)) {
            assert!(
                table.contains(&format!("`{name}")),
                "the README's configuration table lacks {name}"
            );
        }
    }
}
