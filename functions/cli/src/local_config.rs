//! One tenant's configuration for the CLI: a JSON file, the Okta SDKs' environment, or the simulator.

use okta_ingest::Error;
use okta_ingest::tenant::TenantId;
use okta_ingest::tenants::TenantSource;
use secrecy::SecretString;
use serde_json::{Value, json};

/// From `--config FILE`, else from `OKTA_CLIENT_*` variables.
pub fn source(id: TenantId, config: Option<&str>) -> Result<TenantSource, Error> {
    let (origin, json) = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Environment(format!("--config {path}: {e}")))?;
            (path.to_owned(), text)
        }
        None => (
            "environment (OKTA_CLIENT_*)".to_owned(),
            from_env()?.to_string(),
        ),
    };
    Ok(TenantSource::Single {
        id,
        origin,
        json: SecretString::from(json),
    })
}

/// The demo tenant: the simulator's org with its API token.
pub fn simulator_source(id: TenantId, simulator: &okta_sim::Simulator) -> TenantSource {
    TenantSource::Single {
        id,
        origin: "the demo simulator".into(),
        json: SecretString::from(simulator_secret(simulator)),
    }
}

/// A tenant secret (the README's schema) that reaches the simulator.
pub fn simulator_secret(simulator: &okta_sim::Simulator) -> String {
    json!({
        "org_url": simulator.url(),
        "auth": {"type": "ssws", "token": okta_sim::API_TOKEN},
    })
    .to_string()
}

/// The secret's schema, built from the variables the Okta SDKs read.
fn from_env() -> Result<Value, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let org_url = var("OKTA_CLIENT_ORGURL").ok_or_else(|| {
        Error::Environment("give --config FILE, or set OKTA_CLIENT_ORGURL and credentials".into())
    })?;
    let auth = if let Some(token) = var("OKTA_CLIENT_TOKEN") {
        json!({"type": "ssws", "token": token})
    } else if let Some(client_id) = var("OKTA_CLIENT_CLIENTID") {
        if let Some(secret) = var("OKTA_CLIENT_CLIENTSECRET") {
            json!({"type": "oauth2", "client_id": client_id, "client_secret": secret})
        } else if let Some(key) = var("OKTA_CLIENT_PRIVATEKEY") {
            // The SDKs accept the PEM itself or a path to it.
            let pem = if key.trim_start().starts_with("-----BEGIN") {
                key
            } else {
                std::fs::read_to_string(&key).map_err(|e| {
                    Error::Environment(format!("OKTA_CLIENT_PRIVATEKEY file {key}: {e}"))
                })?
            };
            json!({"type": "oauth2", "client_id": client_id, "private_key": pem, "key_id": var("OKTA_CLIENT_KID")})
        } else {
            return Err(Error::Environment(
                "OKTA_CLIENT_CLIENTID needs OKTA_CLIENT_CLIENTSECRET or OKTA_CLIENT_PRIVATEKEY"
                    .into(),
            ));
        }
    } else {
        return Err(Error::Environment(
            "set OKTA_CLIENT_TOKEN, or OKTA_CLIENT_CLIENTID with a secret or private key".into(),
        ));
    };
    Ok(json!({"org_url": org_url, "auth": auth}))
}
