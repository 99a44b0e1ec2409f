//! The System Log: events kept in persistence order (the order Okta committed them, which
//! late events break with respect to `published`), with live appends while serving.
//!
//! Only each event's `published` time is stored; the rest of the event is rebuilt from the
//! seed and its sequence number when served, so a million events cost a few megabytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::ids::{base62, okta_id, pick, timestamp};

/// What events are about: a sample of the org's users, apps, groups and policies.
pub(crate) struct Directory {
    /// id, login, display name; the first is the admin who changes things.
    pub users: Vec<(String, String, String)>,
    /// id, label.
    pub apps: Vec<(String, String)>,
    /// id, name.
    pub groups: Vec<(String, String)>,
    /// id, name.
    pub policies: Vec<(String, String)>,
}

struct State {
    /// `published` (epoch ms) by persistence sequence number.
    published: Vec<i64>,
    /// Events whose content is given (the org's changes, see `churn`), by sequence number;
    /// every other event is rebuilt from the seed.
    given: HashMap<usize, Arc<Given>>,
    /// Bumped by [`SystemLog::invalidate_cursors`]; cursors carry the epoch they were issued in.
    cursor_epoch: u32,
}

/// The org's System Log. Shared by the simulator, its background generator and tests.
pub struct SystemLog {
    seed: u64,
    directory: Directory,
    state: Mutex<State>,
}

impl std::fmt::Debug for SystemLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemLog")
            .field("events", &self.len())
            .finish()
    }
}

impl SystemLog {
    /// `count` events spread over `history` up to `now`; one in fifty was persisted late
    /// (published up to five minutes before events persisted ahead of it).
    pub(crate) fn new(
        seed: u64,
        directory: Directory,
        count: usize,
        history: Duration,
        now: DateTime<Utc>,
    ) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x5157_e410);
        let end = now.timestamp_millis();
        let span = history.as_millis() as i64;
        let published = (0..count)
            .map(|i| {
                let at = end - span + span * i as i64 / count.max(1) as i64;
                if rng.u8(..50) == 0 {
                    at - rng.i64(1_000..300_000)
                } else {
                    at
                }
            })
            .collect();
        Self {
            seed,
            directory,
            state: Mutex::new(State {
                published,
                given: HashMap::new(),
                cursor_epoch: 0,
            }),
        }
    }

    /// Appends `n` events published now.
    pub fn append_events(&self, n: usize) {
        self.append(n, Duration::ZERO);
    }

    /// Appends `n` events published `delay` ago but persisted now: they sort after newer
    /// events, as Okta's late-arriving events do.
    pub fn append_late_events(&self, n: usize, delay: Duration) {
        self.append(n, delay);
    }

    /// Appends one event published now about a change someone made; returns its `uuid`.
    pub(crate) fn append_given(&self, given: Given) -> String {
        let at = Utc::now().timestamp_millis();
        let mut state = self.state.lock().unwrap();
        let seq = state.published.len();
        state.published.push(at);
        state.given.insert(seq, Arc::new(given));
        drop(state);
        let event: Value =
            serde_json::from_str(self.render(seq, at).get()).expect("events are JSON");
        event["uuid"]
            .as_str()
            .expect("events have a uuid")
            .to_owned()
    }

    /// Every cursor issued so far is refused from now on (400 E0000001), as a cursor Okta
    /// no longer accepts.
    pub fn invalidate_cursors(&self) {
        self.state.lock().unwrap().cursor_epoch += 1;
    }

    /// Every event, in persistence order.
    pub fn events(&self) -> Vec<Value> {
        let published = self.state.lock().unwrap().published.clone();
        published
            .iter()
            .enumerate()
            .map(|(seq, &at)| {
                serde_json::from_str(self.render(seq, at).get()).expect("events are JSON")
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.state.lock().unwrap().published.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn append(&self, n: usize, delay: Duration) {
        let at = (Utc::now() - delay).timestamp_millis();
        let mut state = self.state.lock().unwrap();
        state.published.extend(std::iter::repeat_n(at, n));
    }

    pub(crate) fn cursor_epoch(&self) -> u32 {
        self.state.lock().unwrap().cursor_epoch
    }

    /// Polling: from sequence `start`, events published at or after `since_ms`, up to
    /// `limit`. Returns them and the sequence to continue from.
    pub(crate) fn poll(
        &self,
        start: usize,
        since_ms: i64,
        limit: usize,
    ) -> (Vec<Box<RawValue>>, usize) {
        let state = self.state.lock().unwrap();
        let mut events = Vec::new();
        let mut next = start.min(state.published.len());
        while events.len() < limit && next < state.published.len() {
            let at = state.published[next];
            if at >= since_ms {
                events.push((next, at));
            }
            next += 1;
        }
        drop(state);
        let events = events
            .into_iter()
            .map(|(seq, at)| self.render(seq, at))
            .collect();
        (events, next)
    }

    /// Bounded: events with `since_ms <= published < until_ms` that `keep` keeps, ordered by
    /// (published, sequence) ascending or descending, strictly after the `after` key, up to
    /// `limit`. Returns them and, if more follow, the key of the last one.
    pub(crate) fn bounded(
        &self,
        since_ms: i64,
        until_ms: i64,
        descending: bool,
        after: Option<(i64, usize)>,
        limit: usize,
        keep: impl Fn(&RawValue) -> bool,
    ) -> (Vec<Box<RawValue>>, Option<(i64, usize)>) {
        let state = self.state.lock().unwrap();
        let mut keys: Vec<(i64, usize)> = state
            .published
            .iter()
            .enumerate()
            .filter(|(_, at)| (since_ms..until_ms).contains(*at))
            .map(|(seq, &at)| (at, seq))
            .collect();
        drop(state);
        keys.sort_unstable();
        if descending {
            keys.reverse();
        }
        let start = match after {
            Some(key) if descending => keys.partition_point(|k| *k >= key),
            Some(key) => keys.partition_point(|k| *k <= key),
            None => 0,
        };
        let mut events = Vec::new();
        let mut last = None;
        let mut examined = 0;
        for &(at, seq) in &keys[start..] {
            if events.len() == limit {
                break;
            }
            examined += 1;
            last = Some((at, seq));
            let event = self.render(seq, at);
            if keep(&event) {
                events.push(event);
            }
        }
        let more = keys.len() > start + examined;
        let next = more.then_some(last).flatten();
        (events, next)
    }

    /// The event with sequence number `seq`, rebuilt from the seed. Rendered straight to
    /// JSON text: pages of a thousand events are served without building `Value`s.
    fn render(&self, seq: usize, published_ms: i64) -> Box<RawValue> {
        let mut rng =
            fastrand::Rng::with_seed(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq as u64);
        let rng = &mut rng;
        let published = DateTime::from_timestamp_millis(published_ms).unwrap_or_default();
        let given = self.state.lock().unwrap().given.get(&seq).cloned();
        let d = &self.directory;
        let user = (!d.users.is_empty()).then(|| pick(rng, &d.users));
        let app = (!d.apps.is_empty()).then(|| pick(rng, &d.apps));
        let group = (!d.groups.is_empty()).then(|| pick(rng, &d.groups));
        let policy = (!d.policies.is_empty()).then(|| pick(rng, &d.policies));
        let failed = rng.u8(..12) == 0;

        let system = SYSTEM_PRINCIPAL;
        // Okta's `debugData` beyond the request: the role an admin grant names.
        let mut debug = "";
        // The mix of a working org: sign-ins, SSO and OAuth tokens dominate; admin changes,
        // lifecycle and findings are rare; a few types have no specific OCSF class.
        let (event_type, legacy, message, actor, targets) = match given.as_deref() {
            Some(g) => (
                g.event_type,
                g.legacy,
                g.message,
                (
                    g.actor.0.as_str(),
                    g.actor.1.as_str(),
                    g.actor.2.as_str(),
                    "User",
                ),
                g.targets
                    .iter()
                    .map(|t| target(&t.id, t.kind, &t.alternate, &t.display, "null"))
                    .collect(),
            ),
            None => match (rng.u8(..100), user, app, group, policy) {
                (0..=29, Some(u), ..) => (
                    "user.session.start",
                    "core.user_auth.login_success",
                    "User login to Okta",
                    person(u),
                    vec![],
                ),
                (30..=44, Some(u), Some(a), ..) => (
                    "user.authentication.sso",
                    "app.auth.sso",
                    "User single sign on to app",
                    person(u),
                    vec![
                        target(
                            &a.0,
                            "AppInstance",
                            &a.1,
                            &a.1,
                            r#"{"signOnModeType":"SAML_2_0"}"#,
                        ),
                        target(&okta_id(rng, "0ua"), "AppUser", &u.1, &u.2, "null"),
                    ],
                ),
                (45..=54, Some(u), _, _, Some(p)) => (
                    "policy.evaluate_sign_on",
                    "core.user.session.start",
                    "Evaluation of sign-on policy",
                    person(u),
                    vec![
                        target(
                            &p.0,
                            "PolicyEntity",
                            "unknown",
                            &p.1,
                            r#"{"policyType":"OktaSignOn"}"#,
                        ),
                        target(
                            &okta_id(rng, "0pr"),
                            "PolicyRule",
                            "unknown",
                            "Catch-all Rule",
                            "null",
                        ),
                    ],
                ),
                (55..=62, Some(u), ..) => (
                    "user.authentication.auth_via_mfa",
                    "core.user.factor.attempt_success",
                    "Authentication of user via MFA",
                    person(u),
                    vec![target(
                        &okta_id(rng, "pfd"),
                        "AuthenticatorEnrollment",
                        "unknown",
                        "Okta Verify",
                        "null",
                    )],
                ),
                (63..=70, Some(u), Some(a), ..) => (
                    "app.oauth2.as.token.grant.access_token",
                    "app.oauth2.as.token.grant.access_token_success",
                    "OAuth2 access token is granted",
                    (a.0.as_str(), a.1.as_str(), a.1.as_str(), "PublicClientApp"),
                    vec![
                        target(
                            &okta_id(rng, "AT."),
                            "access_token",
                            "unknown",
                            "Access Token",
                            "null",
                        ),
                        target(&u.0, "User", &u.1, &u.2, "null"),
                    ],
                ),
                (71..=76, Some(u), ..) => (
                    "user.session.end",
                    "core.user_auth.logout_success",
                    "User logout from Okta",
                    person(u),
                    vec![],
                ),
                (77..=81, Some(u), _, Some(g), _) => (
                    "group.user_membership.add",
                    "core.user_group_member.user_add",
                    "Add user to group membership",
                    person(&d.users[0]),
                    vec![
                        target(&u.0, "User", &u.1, &u.2, "null"),
                        target(&g.0, "UserGroup", "unknown", &g.1, "null"),
                    ],
                ),
                (82, Some(u), _, Some(g), _) => (
                    "group.user_membership.remove",
                    "core.user_group_member.user_remove",
                    "Remove user from group membership",
                    person(&d.users[0]),
                    vec![
                        target(&u.0, "User", &u.1, &u.2, "null"),
                        target(&g.0, "UserGroup", "unknown", &g.1, "null"),
                    ],
                ),
                (83..=84, Some(u), Some(a), ..) => (
                    "application.user_membership.add",
                    "app.generic.provision.assign_user_to_app",
                    "Add user to application membership",
                    person(&d.users[0]),
                    vec![
                        target(&okta_id(rng, "0ua"), "AppUser", &u.1, &u.2, "null"),
                        target(&a.0, "AppInstance", &a.1, &a.1, "null"),
                        target(&u.0, "User", &u.1, &u.2, "null"),
                    ],
                ),
                (85, Some(u), ..) => {
                    debug = r#","privilegeGranted":"Read-only Administrator""#;
                    (
                        "user.account.privilege.grant",
                        "core.user.admin_privilege.granted",
                        "Grant user privilege",
                        person(&d.users[0]),
                        vec![target(&u.0, "User", &u.1, &u.2, "null")],
                    )
                }
                (86, _, _, Some(g), _) => {
                    debug = r#","privilegeGranted":"Help Desk Administrator""#;
                    (
                        "group.privilege.grant",
                        "core.group.admin_privilege.granted",
                        "Grant group privilege",
                        person(&d.users[0]),
                        vec![target(&g.0, "UserGroup", "unknown", &g.1, "null")],
                    )
                }
                (87, Some(u), ..) => (
                    "user.lifecycle.create",
                    "core.user.config.user_creation.success",
                    "Create Okta user",
                    person(&d.users[0]),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (88, Some(u), ..) => (
                    "user.lifecycle.deactivate",
                    "core.user.config.user_deactivated",
                    "Deactivate Okta user",
                    person(&d.users[0]),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (89..=90, Some(u), ..) => (
                    "user.mfa.factor.activate",
                    "core.user.factor.activate",
                    "User set up MFA factor",
                    person(u),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (91, Some(u), ..) => (
                    "user.account.update_password",
                    "core.user.config.password_update.success",
                    "User update password for Okta",
                    person(u),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (92, _, Some(a), ..) => (
                    "application.lifecycle.update",
                    "app.generic.config.app_updated",
                    "Update application",
                    person(&d.users[0]),
                    vec![target(&a.0, "AppInstance", &a.1, &a.1, "null")],
                ),
                (93, _, _, _, Some(p)) => (
                    "policy.lifecycle.update",
                    "core.policy.update",
                    "Update policy",
                    person(&d.users[0]),
                    vec![target(&p.0, "PolicyEntity", "unknown", &p.1, "null")],
                ),
                (94, Some(u), ..) => (
                    "security.threat.detected",
                    "security.threat.detected",
                    "Request from suspicious actor",
                    person(u),
                    vec![],
                ),
                (95, Some(u), ..) => (
                    "user.session.access_admin_app",
                    "app.admin_app.access",
                    "User accessing Okta admin app",
                    person(u),
                    vec![target(
                        &okta_id(rng, "0oa"),
                        "AppInstance",
                        "Okta Admin Console",
                        "Okta Admin Console",
                        "null",
                    )],
                ),
                (96, Some(u), ..) => (
                    "user.account.update_profile",
                    "core.user.config.profile_update.success",
                    "Update user profile for Okta",
                    person(&d.users[0]),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (97, Some(u), ..) => (
                    "system.sms.send_factor_verify_message",
                    "core.user.sms.message_sent.verify",
                    "Send SMS verification message",
                    person(u),
                    vec![target(&u.0, "User", &u.1, &u.2, "null")],
                ),
                (_, Some(u), ..) => (
                    "user.session.end",
                    "core.user_auth.logout_success",
                    "User logout from Okta",
                    person(u),
                    vec![],
                ),
                _ => (
                    "system.org.rate_limit.warning",
                    "core.framework.ratelimit.warning",
                    "Rate limit warning",
                    system,
                    vec![],
                ),
            },
        };
        let (outcome, severity) = match event_type {
            "user.session.start" if failed => (
                r#"{"result":"FAILURE","reason":"INVALID_CREDENTIALS"}"#,
                "WARN",
            ),
            "policy.evaluate_sign_on" if failed => (
                r#"{"result":"DENY","reason":"Sign-on policy evaluation resulted in DENY"}"#,
                "WARN",
            ),
            "security.threat.detected" => (r#"{"result":"DENY","reason":null}"#, "WARN"),
            _ => (r#"{"result":"SUCCESS","reason":null}"#, "INFO"),
        };
        let ip = format!("198.51.100.{}", rng.u8(1..255));
        let session = format!("102{}", base62(rng, 22));
        let request_id = base62(rng, 27);
        let geo = concat!(
            r#"{"city":"San Francisco","state":"California","country":"United States","#,
            r#""postalCode":"94105","geolocation":{"lat":37.7852,"lon":-122.3874}}"#,
        );
        let text = format!(
            concat!(
                r#"{{"actor":{{"id":{actor_id},"type":"{actor_type}","alternateId":{actor_alt},"#,
                r#""displayName":{actor_name},"detailEntry":null}},"#,
                r#""client":{{"userAgent":{{"rawUserAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "#,
                r#"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36","os":"Mac OS X","#,
                r#""browser":"CHROME"}},"zone":null,"device":"Computer","id":null,"ipAddress":"{ip}","#,
                r#""geographicalContext":{geo}}},"device":null,"#,
                r#""authenticationContext":{{"authenticationProvider":null,"credentialProvider":null,"#,
                r#""credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"#,
                r#""rootSessionId":"{session}","externalSessionId":"{session}"}},"#,
                r#""displayMessage":"{message}","eventType":"{event_type}","outcome":{outcome},"#,
                r#""published":"{published}","#,
                r#""securityContext":{{"asNumber":7922,"asOrg":"comcast","isp":"comcast","#,
                r#""domain":"comcast.net","isProxy":false}},"severity":"{severity}","#,
                r#""debugContext":{{"debugData":{{"requestId":"{request_id}","#,
                r#""requestUri":"/idp/idx/identify","url":"/idp/idx/identify?"{debug}}}}},"#,
                r#""legacyEventType":"{legacy}","#,
                r#""transaction":{{"type":"WEB","id":"{request_id}","detail":{{}}}},"#,
                r#""uuid":"{uuid}","version":"0","#,
                r#""request":{{"ipChain":[{{"ip":"{ip}","geographicalContext":{geo},"version":"V4","source":null}}]}},"#,
                r#""target":[{targets}]}}"#,
            ),
            actor_id = quoted(actor.0),
            actor_type = actor.3,
            actor_alt = quoted(actor.1),
            actor_name = quoted(actor.2),
            ip = ip,
            geo = geo,
            session = session,
            message = message,
            event_type = event_type,
            outcome = outcome,
            published = timestamp(published),
            severity = severity,
            request_id = request_id,
            debug = debug,
            legacy = legacy,
            uuid = uuid(rng, seq),
            targets = targets.join(","),
        );
        RawValue::from_string(text).expect("events render as valid JSON")
    }
}

/// An event about a change someone made: its type and texts, who, and to what.
#[derive(Debug, Clone)]
pub(crate) struct Given {
    pub event_type: &'static str,
    pub legacy: &'static str,
    pub message: &'static str,
    /// id, login, display name of the admin who made the change.
    pub actor: (String, String, String),
    pub targets: Vec<GivenTarget>,
}

/// One of a given event's targets.
#[derive(Debug, Clone)]
pub(crate) struct GivenTarget {
    pub id: String,
    pub kind: &'static str,
    pub alternate: String,
    pub display: String,
}

/// The actor of events no user caused: id, alternate id, display name, type.
const SYSTEM_PRINCIPAL: (&str, &str, &str, &str) = (
    "system@okta.com",
    "system@okta.com",
    "Okta System",
    "SystemPrincipal",
);

/// A directory user as an actor.
fn person(user: &(String, String, String)) -> (&str, &str, &str, &str) {
    (&user.0, &user.1, &user.2, "User")
}

/// One `target[]` entry as JSON text; `detail` is JSON text too.
fn target(id: &str, kind: &str, alternate: &str, display: &str, detail: &str) -> String {
    format!(
        r#"{{"id":{},"type":"{kind}","alternateId":{},"displayName":{},"detailEntry":{detail}}}"#,
        quoted(id),
        quoted(alternate),
        quoted(display),
    )
}

/// A JSON string literal, escaped.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// A version-1-looking UUID whose last group is the sequence number: unique by construction.
fn uuid(rng: &mut fastrand::Rng, seq: usize) -> String {
    format!(
        "{:08x}-{:04x}-11{:02x}-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        rng.u8(..),
        0x8000 | rng.u16(..0x4000),
        seq
    )
}
