//! What the simulated org looks like and how it behaves: sizes, credentials, engine, rate
//! limits, latency. `SimConfig::small()` suits unit tests, `SimConfig::demo()` the demo.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::rate_limit::Bucket;

/// The SSWS API token every default configuration accepts.
pub const API_TOKEN: &str = "00sim-api-token-0123456789abcdefABCDEF";

/// Every read scope the simulator knows, for clients that should be granted everything.
pub const READ_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.groups.read",
    "okta.apps.read",
    "okta.appGrants.read",
    "okta.roles.read",
    "okta.policies.read",
    "okta.orgs.read",
    "okta.domains.read",
    "okta.devices.read",
    "okta.idps.read",
    "okta.networkZones.read",
    "okta.threatInsights.read",
    "okta.behaviors.read",
    "okta.logs.read",
    "okta.apiTokens.read",
    "okta.authenticators.read",
    "okta.authorizationServers.read",
    "okta.trustedOrigins.read",
    "okta.eventHooks.read",
    "okta.inlineHooks.read",
    "okta.logStreams.read",
    "okta.oauthIntegrations.read",
];

/// Which Okta engine the org runs: Classic lacks devices and the newer policy types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    IdentityEngine,
    Classic,
}

/// How an OAuth client proves who it is on `POST /oauth2/v1/token`.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// `client_secret_basic` (or `client_secret_post`) with this secret.
    Secret(String),
    /// `private_key_jwt`: assertions signed by the key whose public half this is (SPKI PEM,
    /// RSA or EC P-256).
    PrivateKeyJwt { public_key_pem: String },
}

/// A service app (or API service integration) allowed to mint Okta-scoped tokens.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub auth: ClientAuth,
    /// The scopes granted to the app; a token request may ask for any subset.
    pub scopes: Vec<String>,
    /// "Require DPoP header in token requests", on by default for new service apps.
    pub require_dpop: bool,
    /// The grant types the app may use; without `client_credentials` a token request gets
    /// 400 `unauthorized_client`.
    pub grant_types: Vec<String>,
    /// The app allows only network zones the runner is outside of: a token request gets
    /// 403 `access_denied`.
    pub outside_network_zone: bool,
}

impl OAuthClient {
    /// A client-secret app granted every read scope.
    pub fn secret(client_id: &str, secret: &str) -> Self {
        Self::new(client_id, ClientAuth::Secret(secret.to_owned()))
    }

    /// A `private_key_jwt` app granted every read scope.
    pub fn private_key(client_id: &str, public_key_pem: &str) -> Self {
        let auth = ClientAuth::PrivateKeyJwt {
            public_key_pem: public_key_pem.to_owned(),
        };
        Self::new(client_id, auth)
    }

    fn new(client_id: &str, auth: ClientAuth) -> Self {
        Self {
            client_id: client_id.to_owned(),
            auth,
            scopes: READ_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            require_dpop: false,
            grant_types: vec!["client_credentials".to_owned()],
            outside_network_zone: false,
        }
    }

    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn with_dpop(mut self) -> Self {
        self.require_dpop = true;
        self
    }

    pub fn with_grant_types(mut self, grant_types: &[&str]) -> Self {
        self.grant_types = grant_types.iter().map(|g| (*g).to_owned()).collect();
        self
    }

    pub fn outside_network_zone(mut self) -> Self {
        self.outside_network_zone = true;
        self
    }
}

/// The whole simulated org. All fields are public; the `with_*` helpers chain.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seeds every generated object: the same seed gives the same org.
    pub seed: u64,
    /// 0 picks a free port.
    pub port: u16,
    pub engine: Engine,

    /// Users in total, DEPROVISIONED ones (about one in sixteen) included.
    pub users: usize,
    pub groups: usize,
    pub group_rules: usize,
    pub apps: usize,
    /// Users holding a standard admin role directly (group-held roles come on top).
    pub admins: usize,
    pub custom_roles: usize,
    pub resource_sets: usize,
    /// Policies per policy type (each with a few rules); the default policy is one of them.
    pub policies_per_type: usize,
    /// Devices (Identity Engine only).
    pub devices: usize,
    pub idps: usize,
    pub network_zones: usize,
    pub behaviors: usize,
    /// System Log events present at start, spread over `log_history`.
    pub log_events: usize,
    pub log_history: Duration,
    /// Events the background generator appends per second (0: none).
    pub log_events_per_second: u32,

    pub api_token: String,
    /// Scopes whose endpoints answer 403 E0000006 to the API token, as for an admin whose
    /// role lacks those permissions. OAuth tokens are judged by their scopes instead.
    pub api_token_denied_scopes: Vec<String>,
    pub clients: Vec<OAuthClient>,
    pub token_lifetime: Duration,

    /// Groups with members outside the caller's admin role: their members and roles answer
    /// 403 E0000006, as for a scoped or custom admin whose resource set leaves them out.
    pub groups_outside_admin_scope: usize,
    /// Member pages asking for more users than this, of a group with more members than this,
    /// time out on Okta's side (500 E0000009) however often they are asked for.
    pub member_page_timeout_above: Option<usize>,

    /// Requests per window per bucket; a bucket missing here gets [`DEFAULT_RATE_LIMIT`].
    pub rate_limits: BTreeMap<Bucket, u32>,
    pub rate_limit_window: Duration,
    /// Requests the org serves at once; one more gets Okta's concurrency 429
    /// (`X-Rate-Limit-Limit: 0`). `None`: no limit.
    pub concurrency_limit: Option<u32>,
    /// Added to every response.
    pub latency: Duration,
}

/// The per-window limit of a bucket not named in `rate_limits`: high enough that tests
/// which don't test rate limiting never meet it.
pub const DEFAULT_RATE_LIMIT: u32 = 10_000;

impl Default for SimConfig {
    /// A small org; the same as [`SimConfig::small`].
    fn default() -> Self {
        Self {
            seed: 1,
            port: 0,
            engine: Engine::IdentityEngine,
            users: 250,
            groups: 20,
            group_rules: 5,
            apps: 10,
            admins: 5,
            custom_roles: 2,
            resource_sets: 2,
            policies_per_type: 2,
            devices: 50,
            idps: 3,
            network_zones: 4,
            behaviors: 5,
            log_events: 500,
            log_history: Duration::from_secs(3 * 24 * 3600),
            log_events_per_second: 0,
            api_token: API_TOKEN.to_owned(),
            api_token_denied_scopes: Vec::new(),
            clients: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            groups_outside_admin_scope: 0,
            member_page_timeout_above: None,
            rate_limits: BTreeMap::new(),
            rate_limit_window: Duration::from_secs(60),
            concurrency_limit: None,
            latency: Duration::ZERO,
        }
    }
}

impl SimConfig {
    /// 250 users and a little of everything.
    pub fn small() -> Self {
        Self::default()
    }

    /// A mid-sized org for `okta-ingest demo`: 2,000 users, 100 groups, 40 apps, every
    /// policy type with rules, a few thousand log events.
    pub fn demo() -> Self {
        Self {
            users: 2_000,
            groups: 100,
            group_rules: 20,
            apps: 40,
            admins: 12,
            custom_roles: 4,
            resource_sets: 4,
            policies_per_type: 3,
            devices: 600,
            idps: 5,
            network_zones: 8,
            behaviors: 6,
            log_events: 5_000,
            ..Self::default()
        }
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    pub fn with_users(mut self, users: usize) -> Self {
        self.users = users;
        self
    }

    pub fn with_groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self
    }

    pub fn with_apps(mut self, apps: usize) -> Self {
        self.apps = apps;
        self
    }

    pub fn with_devices(mut self, devices: usize) -> Self {
        self.devices = devices;
        self
    }

    pub fn with_log_events(mut self, events: usize) -> Self {
        self.log_events = events;
        self
    }

    pub fn with_log_events_per_second(mut self, rate: u32) -> Self {
        self.log_events_per_second = rate;
        self
    }

    pub fn with_client(mut self, client: OAuthClient) -> Self {
        self.clients.push(client);
        self
    }

    pub fn with_api_token_denied_scopes(mut self, scopes: &[&str]) -> Self {
        self.api_token_denied_scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn with_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    pub fn with_groups_outside_admin_scope(mut self, groups: usize) -> Self {
        self.groups_outside_admin_scope = groups;
        self
    }

    pub fn with_member_page_timeout_above(mut self, users: usize) -> Self {
        self.member_page_timeout_above = Some(users);
        self
    }

    pub fn with_rate_limit(mut self, bucket: Bucket, limit: u32) -> Self {
        self.rate_limits.insert(bucket, limit);
        self
    }

    pub fn with_rate_limit_window(mut self, window: Duration) -> Self {
        self.rate_limit_window = window;
        self
    }

    pub fn with_concurrency_limit(mut self, requests: u32) -> Self {
        self.concurrency_limit = Some(requests);
        self
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub(crate) fn rate_limit(&self, bucket: Bucket) -> u32 {
        self.rate_limits
            .get(&bucket)
            .copied()
            .unwrap_or(DEFAULT_RATE_LIMIT)
    }
}
