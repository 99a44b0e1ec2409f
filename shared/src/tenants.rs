//! Where tenants come from: one Secrets Manager secret per tenant, or one local config.
//!
//! Secrets are named `<prefix><tenant-id>`. A scheduled run lists every secret under the prefix
//! (all pages); a manual run reads one. Each secret is validated into a [`TenantConfig`] once.

use aws_config::SdkConfig;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::tenant::{TenantConfig, TenantId};

/// The default secret name prefix (`OKTA_INGEST_SECRET_PREFIX` overrides it).
pub const DEFAULT_SECRET_PREFIX: &str = "okta-ingest/tenants/";

pub enum TenantSource {
    SecretsManager {
        client: Client,
        prefix: String,
    },
    /// One tenant from a local file or the environment (the CLI); `origin` names it in errors.
    Single {
        id: TenantId,
        origin: String,
        json: SecretString,
    },
}

impl TenantSource {
    /// The secrets named `<prefix><tenant>`, read with the process's AWS configuration.
    pub fn secrets_manager(prefix: &str, aws: &SdkConfig) -> Self {
        Self::SecretsManager {
            client: Client::new(aws),
            prefix: prefix.to_owned(),
        }
    }

    /// Every tenant id this source knows, sorted. Secret names under the prefix that are not
    /// valid tenant ids are logged here and come back as errors so that callers report them.
    pub async fn list(&self) -> Result<Vec<Result<TenantId, Error>>, Error> {
        let (client, prefix) = match self {
            Self::Single { id, .. } => return Ok(vec![Ok(id.clone())]),
            Self::SecretsManager { client, prefix } => (client, prefix),
        };
        let mut pages = client
            .list_secrets()
            .filters(
                Filter::builder()
                    .key(FilterNameStringType::Name)
                    .values(prefix.as_str())
                    .build(),
            )
            .max_results(100)
            .into_paginator()
            .send();
        let mut tenants = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Error::ListTenants {
                prefix: prefix.clone(),
                detail: DisplayErrorContext(&e).to_string(),
            })?;
            for name in page.secret_list().iter().filter_map(|s| s.name()) {
                // The name filter is a case-insensitive prefix match; be exact here.
                let Some(suffix) = name.strip_prefix(prefix.as_str()) else {
                    continue;
                };
                tenants.push(TenantId::parse(suffix).map_err(|e| {
                    let e = Error::Config {
                        tenant: suffix.to_owned(),
                        secret: name.to_owned(),
                        source: e,
                    };
                    tracing::error!(error = %e, "a secret under the prefix names no valid tenant");
                    e
                }));
            }
        }
        tenants.sort_by(|a, b| match (a, b) {
            (Ok(a), Ok(b)) => a.cmp(b),
            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
            (Err(_), Err(_)) => std::cmp::Ordering::Equal,
        });
        Ok(tenants)
    }

    /// Reads and validates one tenant's configuration.
    pub async fn load(
        &self,
        id: &TenantId,
        allow_http_loopback: bool,
    ) -> Result<TenantConfig, Error> {
        match self {
            Self::Single {
                id: own,
                origin,
                json,
            } => {
                if own != id {
                    return Err(Error::Invocation(format!(
                        "tenant {id} is not configured here (this run has only {own})"
                    )));
                }
                TenantConfig::from_secret_json(
                    id.clone(),
                    json.expose_secret(),
                    allow_http_loopback,
                )
                .map_err(|source| Error::Config {
                    tenant: id.to_string(),
                    secret: origin.clone(),
                    source,
                })
            }
            Self::SecretsManager { client, prefix } => {
                let name = format!("{prefix}{id}");
                let out = client
                    .get_secret_value()
                    .secret_id(&name)
                    .send()
                    .await
                    .map_err(|e| Error::SecretUnreadable {
                        tenant: id.to_string(),
                        secret: name.clone(),
                        detail: DisplayErrorContext(&e).to_string(),
                    })?;
                let json = out.secret_string().ok_or_else(|| Error::SecretUnreadable {
                    tenant: id.to_string(),
                    secret: name.clone(),
                    detail: "it has no string value (binary secrets are not supported)".into(),
                })?;
                TenantConfig::from_secret_json(id.clone(), json, allow_http_loopback).map_err(
                    |source| Error::Config {
                        tenant: id.to_string(),
                        secret: name,
                        source,
                    },
                )
            }
        }
    }
}
