//! The Okta API client for one tenant: authenticated, paced, retrying GETs on the org's origin.

use std::time::Instant;

use reqwest::header::ACCEPT;
use url::Url;

use super::auth::Authenticator;
use super::buckets::bucket_of;
use super::credentials::Credentials;
use super::error::{OktaError, classify, www_authenticate_param};
use super::org_url::OrgUrl;
use super::retry::RetryPolicy;
use super::transport::{RequestCounters, RequestStats, Response, Transport};

/// A client for one tenant's org. Cheap to share by reference across that tenant's tasks.
pub struct OktaClient {
    org: OrgUrl,
    auth: Authenticator,
    transport: Transport,
}

impl OktaClient {
    /// A client for `org` with `credentials`, using at most `rate_limit_fraction` of each
    /// bucket. `scopes`: every OAuth scope this client may need (one token is asked for them
    /// together).
    pub fn new(
        http: reqwest::Client,
        org: &OrgUrl,
        credentials: &Credentials,
        rate_limit_fraction: f64,
        scopes: impl IntoIterator<Item = &'static str>,
        retry: RetryPolicy,
        deadline: Option<Instant>,
    ) -> Self {
        Self {
            org: org.clone(),
            auth: Authenticator::new(org.clone(), credentials, scopes),
            transport: Transport::new(http, rate_limit_fraction, retry, deadline),
        }
    }

    pub fn org(&self) -> &OrgUrl {
        &self.org
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.transport.deadline()
    }

    /// Requests made so far (including retries), retries and 429s.
    pub fn stats(&self) -> RequestStats {
        self.transport.counters.snapshot()
    }

    /// `url` if it is on the org's origin; credentials never go anywhere else.
    pub fn same_origin(&self, url: Url) -> Result<Url, OktaError> {
        if self.org.is_same_origin(&url) {
            Ok(url)
        } else {
            Err(OktaError::ForeignOrigin {
                origin: url.origin().ascii_serialization(),
            })
        }
    }

    /// GETs `url` (which must be on the org's origin) with a credential good for `scope`.
    /// Returns only successful responses; everything else becomes a typed error.
    pub async fn get(
        &self,
        url: &Url,
        scope: &str,
        tally: &RequestCounters,
    ) -> Result<Response, OktaError> {
        let url = &self.same_origin(url.clone())?;
        let bucket = bucket_of(url);
        let mut refreshed = false;
        let mut nonce_retried = false;
        loop {
            let authorization = self
                .auth
                .authorize(&self.transport, scope, "GET", url)
                .await?;
            let response = self
                .transport
                .send(bucket, Some(tally), || {
                    Ok(self
                        .transport
                        .http
                        .get(url.clone())
                        .headers(authorization.headers.clone())
                        .header(ACCEPT, "application/json"))
                })
                .await?;
            if response.status.is_success() {
                return Ok(response);
            }
            if response.status.as_u16() == 401 {
                if !nonce_retried && self.auth.take_nonce(&response).await {
                    nonce_retried = true;
                    continue;
                }
                let insufficient = www_authenticate_param(&response.headers, "error").as_deref()
                    == Some("insufficient_scope");
                // An OAuth token may have expired or been revoked early: mint a new one, once.
                if !refreshed
                    && !insufficient
                    && self.auth.refresh_after_rejection(&authorization).await
                {
                    refreshed = true;
                    tracing::info!(bucket, "access token rejected; minting a new one");
                    continue;
                }
            }
            return Err(classify(response.status, &response.headers, &response.body));
        }
    }
}
