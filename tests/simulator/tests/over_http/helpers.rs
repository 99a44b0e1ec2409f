//! Helpers for talking to the simulator over real HTTP: requests, `Link` parsing, client
//! assertions and DPoP proofs.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use okta_sim::Simulator;
use serde_json::{Value, json};

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// `GET` with an `Authorization` header value.
pub async fn get(url: &str, authorization: &str) -> reqwest::Response {
    http()
        .get(url)
        .header("authorization", authorization)
        .send()
        .await
        .expect("request")
}

pub fn ssws() -> String {
    format!("SSWS {}", okta_sim::API_TOKEN)
}

pub async fn body(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("JSON body")
}

pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The URL of the `Link` header line with `rel="<rel>"`.
pub fn link(response: &reqwest::Response, rel: &str) -> Option<String> {
    response
        .headers()
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.ends_with(&format!("rel=\"{rel}\"")))
        .map(|v| v[v.find('<').unwrap() + 1..v.find('>').unwrap()].to_owned())
}

/// Follows `next` links from `first`, returning every item and the number of requests.
pub async fn walk(first: &str, authorization: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut requests = 0;
    let mut url = Some(first.to_owned());
    while let Some(current) = url {
        let response = get(&current, authorization).await;
        assert_eq!(response.status(), 200, "{current}");
        requests += 1;
        url = link(&response, "next");
        items.extend(body(response).await.as_array().unwrap().iter().cloned());
    }
    (items, requests)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn random_jti() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// A `private_key_jwt` client assertion.
pub fn assertion(client_id: &str, audience: &str, pem: &str, alg: Algorithm, jti: &str) -> String {
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let claims = json!({
        "iss": client_id, "sub": client_id, "aud": audience,
        "iat": now(), "exp": now() + 300, "jti": jti,
    });
    jsonwebtoken::encode(&Header::new(alg), &claims, &key).unwrap()
}

pub fn token_url(sim: &Simulator) -> String {
    format!("{}/oauth2/v1/token", sim.url())
}

/// A DPoP key pair (the fixed EC test key) that signs proofs.
pub struct DpopKey {
    key: EncodingKey,
    jwk: Jwk,
    alg: Algorithm,
}

impl DpopKey {
    pub fn ec() -> Self {
        Self::new(okta_sim::keys::EC_PRIVATE_KEY_PEM, Algorithm::ES256)
    }

    pub fn rsa() -> Self {
        Self::new(okta_sim::keys::RSA_PRIVATE_KEY_PEM, Algorithm::RS256)
    }

    fn new(pem: &str, alg: Algorithm) -> Self {
        let key = match alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        };
        let jwk = Jwk::from_encoding_key(&key, alg).unwrap();
        Self { key, jwk, alg }
    }

    pub fn proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        token: Option<&str>,
    ) -> String {
        let mut header = Header::new(self.alg);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        let mut claims = json!({"htm": method, "htu": url, "iat": now(), "jti": random_jti()});
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        if let Some(token) = token {
            use base64::Engine as _;
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
            claims["ath"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(hash)
                .into();
        }
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

/// `POST /oauth2/v1/token` with a form and extra headers.
pub async fn token_request(
    sim: &Simulator,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = http().post(token_url(sim)).form(form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("token request")
}

/// `Authorization: Basic` for a client id and secret.
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}
