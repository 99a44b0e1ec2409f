//! Credentials → the `Authorization` (and `DPoP`) header of each request.
//!
//! SSWS tokens go out as they are. OAuth 2.0 clients get access tokens from the org
//! authorization server (`/oauth2/v1/token`) with `client_secret_basic` or `private_key_jwt`,
//! asking only for the scopes of the resources being read. Tokens are cached until shortly
//! before they expire. If Okta refuses the whole scope set, each scope is tried alone so that
//! one missing grant skips one resource, not all. A refusal of the client itself (network zone,
//! grant type, credentials, DPoP proofs) fails every resource, and is not asked again. DPoP is
//! switched on when Okta asks for it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use jsonwebtoken::Header;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

use super::buckets::bucket_of;
use super::credentials::{Credentials, SigningKey};
use super::dpop::{DpopKey, random_id};
use super::error::{OAuthErrorBody, OktaError, TokenRefusal, www_authenticate_param};
use super::org_url::OrgUrl;
use super::transport::{Response, Transport};

/// At most this long before a token's stated expiry, a new one is minted, so that no request
/// carries a dying token (see [`expiry_margin`]).
const MAX_EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// How long before its expiry a token of `lifetime` is replaced: two minutes for Okta's hour,
/// but a quarter of a short lifetime, so that a token of two minutes or less still serves
/// three quarters of its life instead of none (a fixed margin would mint one per request).
fn expiry_margin(lifetime: Duration) -> Duration {
    MAX_EXPIRY_MARGIN.min(lifetime / 4)
}

/// The headers that authenticate one request, and which cached token they came from.
pub struct Authorization {
    pub headers: HeaderMap,
    token_id: Option<u64>,
}

struct Token {
    id: u64,
    scopes: BTreeSet<String>,
    access_token: SecretString,
    dpop: bool,
    /// When it is replaced: its expiry, less the margin.
    renew_at: Instant,
}

#[derive(Default)]
struct TokenCache {
    tokens: Vec<Token>,
    /// Scopes Okta refused to this client: asking again would only fail again.
    denied: BTreeSet<String>,
    /// Okta refused the client itself (network zone, grant type, credentials, DPoP): every
    /// token request of this run would be refused alike.
    refused: Option<OktaError>,
    dpop_key: Option<DpopKey>,
    dpop_nonce: Option<String>,
    next_id: u64,
}

/// One tenant's credentials and the tokens minted from them.
pub struct Authenticator {
    org: OrgUrl,
    credentials: Credentials,
    /// Every scope this client may need; asked for together to mint one token.
    scopes: BTreeSet<String>,
    cache: Mutex<TokenCache>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: u64,
}

#[derive(Serialize)]
struct ClientAssertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
}

impl Authenticator {
    /// Builds the authenticator; the credentials were parsed (key included) with the secret.
    pub fn new(
        org: OrgUrl,
        credentials: &Credentials,
        scopes: impl IntoIterator<Item = &'static str>,
    ) -> Self {
        Self {
            org,
            credentials: credentials.clone(),
            scopes: scopes.into_iter().map(str::to_owned).collect(),
            cache: Mutex::new(TokenCache::default()),
        }
    }

    /// The headers for a request needing `scope` (`method` and `url` go into a DPoP proof).
    pub async fn authorize(
        &self,
        transport: &Transport,
        scope: &str,
        method: &str,
        url: &Url,
    ) -> Result<Authorization, OktaError> {
        let mut headers = HeaderMap::new();
        if let Credentials::ApiToken(token) = &self.credentials {
            headers.insert(
                AUTHORIZATION,
                sensitive(&format!("SSWS {}", token.expose_secret()))?,
            );
            return Ok(Authorization {
                headers,
                token_id: None,
            });
        }
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        cache.tokens.retain(|t| t.renew_at > now);
        if !cache.tokens.iter().any(|t| t.scopes.contains(scope)) {
            self.mint_for(transport, &mut cache, scope).await?;
        }
        let cache = &*cache;
        let token = cache
            .tokens
            .iter()
            .find(|t| t.scopes.contains(scope))
            .expect("minted above");
        let secret = token.access_token.expose_secret();
        if token.dpop {
            let key = cache
                .dpop_key
                .as_ref()
                .expect("DPoP tokens come with a key");
            let proof = key.proof(method, url, Some(secret), cache.dpop_nonce.as_deref())?;
            headers.insert(AUTHORIZATION, sensitive(&format!("DPoP {secret}"))?);
            headers.insert("dpop", sensitive(&proof)?);
        } else {
            headers.insert(AUTHORIZATION, sensitive(&format!("Bearer {secret}"))?);
        }
        Ok(Authorization {
            headers,
            token_id: Some(token.id),
        })
    }

    /// After a 401 on an API call: drop that token so the next request mints a new one.
    /// Returns false when there is nothing to refresh (SSWS), so the 401 stands.
    pub async fn refresh_after_rejection(&self, rejected: &Authorization) -> bool {
        let Some(id) = rejected.token_id else {
            return false;
        };
        self.cache.lock().await.tokens.retain(|t| t.id != id);
        true
    }

    /// After a resource server asked for a (new) DPoP nonce: remember it for the next proofs.
    pub async fn take_nonce(&self, response: &Response) -> bool {
        let nonce = response
            .headers
            .get("dpop-nonce")
            .and_then(|v| v.to_str().ok());
        let asked =
            www_authenticate_param(&response.headers, "error").as_deref() == Some("use_dpop_nonce");
        match nonce {
            Some(nonce) if asked => {
                self.cache.lock().await.dpop_nonce = Some(nonce.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Mints a token covering `scope`: all our scopes at once, or, if Okta refuses the set,
    /// `scope` alone.
    async fn mint_for(
        &self,
        transport: &Transport,
        cache: &mut TokenCache,
        scope: &str,
    ) -> Result<(), OktaError> {
        if let Some(refused) = &cache.refused {
            return Err(refused.clone());
        }
        if cache.denied.contains(scope) {
            return Err(OktaError::MissingScope {
                scope: scope.to_owned(),
            });
        }
        let all: BTreeSet<String> = self
            .scopes
            .iter()
            .filter(|s| !cache.denied.contains(*s))
            .cloned()
            .chain([scope.to_owned()])
            .collect();
        let first = self.request_token(transport, cache, &all).await;
        let result = match first {
            Err(OktaError::MissingScope { .. }) if all.len() > 1 => {
                let alone = BTreeSet::from([scope.to_owned()]);
                self.request_token(transport, cache, &alone).await
            }
            other => other,
        };
        match result {
            Ok(token) => {
                cache.tokens.push(token);
                Ok(())
            }
            Err(OktaError::MissingScope { .. }) => {
                cache.denied.insert(scope.to_owned());
                Err(OktaError::MissingScope {
                    scope: scope.to_owned(),
                })
            }
            Err(e @ OktaError::TokenRefused { .. }) => {
                cache.refused = Some(e.clone());
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn request_token(
        &self,
        transport: &Transport,
        cache: &mut TokenCache,
        scopes: &BTreeSet<String>,
    ) -> Result<Token, OktaError> {
        let token_url = self.org.token_endpoint();
        let bucket = bucket_of(&token_url);
        let scope = scopes
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        // Okta asks for DPoP and then for a nonce, one step at a time: at most two extra rounds.
        for _ in 0..3 {
            let response = transport
                .send(bucket, None, || {
                    let mut form = vec![
                        ("grant_type", "client_credentials".to_owned()),
                        ("scope", scope.clone()),
                    ];
                    let mut req = transport.http.post(token_url.clone());
                    match &self.credentials {
                        Credentials::ClientSecret {
                            client_id,
                            client_secret,
                        } => {
                            req = req.basic_auth(client_id, Some(client_secret.expose_secret()));
                        }
                        Credentials::PrivateKey {
                            client_id,
                            key,
                            key_id,
                        } => {
                            form.push((
                                "client_assertion_type",
                                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                            ));
                            form.push((
                                "client_assertion",
                                client_assertion(client_id, key, key_id, &token_url)?,
                            ));
                        }
                        Credentials::ApiToken(_) => {
                            unreachable!("SSWS never asks for tokens")
                        }
                    }
                    if let Some(key) = &cache.dpop_key {
                        let proof =
                            key.proof("POST", &token_url, None, cache.dpop_nonce.as_deref())?;
                        req = req.header("dpop", sensitive(&proof)?);
                    }
                    Ok(req
                        .header(reqwest::header::ACCEPT, "application/json")
                        .form(&form))
                })
                .await?;
            if response.status.is_success() {
                let parsed: TokenResponse =
                    serde_json::from_slice(&response.body).map_err(|_| {
                        OktaError::Malformed(
                            "the token endpoint's answer is not a token response".into(),
                        )
                    })?;
                let dpop = parsed.token_type.eq_ignore_ascii_case("DPoP");
                if !dpop && !parsed.token_type.eq_ignore_ascii_case("Bearer") {
                    return Err(OktaError::Malformed(format!(
                        "unknown token_type {:?}",
                        parsed.token_type
                    )));
                }
                cache.next_id += 1;
                let lifetime = Duration::from_secs(parsed.expires_in);
                return Ok(Token {
                    id: cache.next_id,
                    scopes: scopes.clone(),
                    access_token: SecretString::from(parsed.access_token),
                    dpop,
                    renew_at: Instant::now() + lifetime - expiry_margin(lifetime),
                });
            }
            let err: OAuthErrorBody = serde_json::from_slice(&response.body).unwrap_or_default();
            let error = err.error.unwrap_or_default();
            let description = err.error_description.unwrap_or_default();
            match error.as_str() {
                "invalid_dpop_proof" if cache.dpop_key.is_none() => {
                    tracing::info!("Okta requires DPoP for this client; switching it on");
                    cache.dpop_key = Some(DpopKey::generate()?);
                }
                "use_dpop_nonce" => {
                    let nonce = response
                        .headers
                        .get("dpop-nonce")
                        .and_then(|v| v.to_str().ok())
                        .ok_or_else(|| {
                            OktaError::Malformed(
                                "use_dpop_nonce without a DPoP-Nonce header".into(),
                            )
                        })?;
                    cache.dpop_nonce = Some(nonce.to_owned());
                }
                // The only refusals that are about one scope: one resource is skipped.
                "invalid_scope" | "consent_required" => {
                    return Err(OktaError::MissingScope { scope });
                }
                _ => {
                    let request_id = super::error::request_id(&response.headers);
                    return Err(match TokenRefusal::of(&error) {
                        Some(refusal) => OktaError::TokenRefused {
                            refusal,
                            error,
                            description,
                            request_id,
                        },
                        None => OktaError::TokenRequest {
                            error: if error.is_empty() {
                                format!("HTTP {}", response.status.as_u16())
                            } else {
                                error
                            },
                            description,
                        },
                    });
                }
            }
        }
        // A nonce, then another: Okta takes none of our proofs.
        Err(OktaError::TokenRefused {
            refusal: TokenRefusal::DpopProof,
            error: "use_dpop_nonce".into(),
            description: "Okta asked for a new DPoP nonce again after we sent the one it gave"
                .into(),
            request_id: None,
        })
    }
}

fn client_assertion(
    client_id: &str,
    key: &SigningKey,
    key_id: &Option<String>,
    token_url: &Url,
) -> Result<String, OktaError> {
    let now = chrono::Utc::now().timestamp();
    let mut header = Header::new(key.algorithm);
    header.kid = key_id.clone();
    let claims = ClientAssertion {
        iss: client_id,
        sub: client_id,
        aud: token_url.as_str(),
        iat: now,
        exp: now + 300,
        jti: random_id(),
    };
    jsonwebtoken::encode(&header, &claims, &key.key)
        .map_err(|_| OktaError::BadKey("could not sign the client assertion".into()))
}

/// A header value that HTTP libraries redact from their debug output.
fn sensitive(value: &str) -> Result<HeaderValue, OktaError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        OktaError::BadKey("the credential has characters a header cannot carry".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_serves_most_of_its_life_however_short() {
        let secs = Duration::from_secs;
        assert_eq!(expiry_margin(secs(3600)), secs(120), "Okta's hour");
        assert_eq!(expiry_margin(secs(480)), secs(120));
        assert_eq!(expiry_margin(secs(120)), secs(30));
        assert_eq!(expiry_margin(secs(40)), secs(10));
        assert_eq!(expiry_margin(secs(0)), secs(0));
    }
}
