//! The System Log in OCSF 1.8.0: one record per Okta event, made from the event as it is
//! written (after the tenant's PII controls, so a dropped or hashed field stays so).
//!
//! [`mapping`] picks the class and activity from `eventType`. The record then takes what it
//! maps out of the event — time, severity, outcome, actor, subject user, client endpoint,
//! device, the class's own object — and whatever is left of the event is kept under
//! `unmapped`, so nothing Okta sent is lost. A class whose required object the event lacks
//! (Group Management without a group, …) falls back to API Activity.

pub mod mapping;

use chrono::DateTime;
use serde_json::{Map, Value, json};

use mapping::{Class, OTHER};

/// The schema version records declare (`metadata.version`).
pub const VERSION: &str = "1.8.0";

/// The OCSF record of one System Log event (JSON text as written), as JSON text.
pub fn record(event: &str) -> Result<String, String> {
    let mut event: Value =
        serde_json::from_str(event).map_err(|e| format!("an event that is not JSON: {e}"))?;
    if !event.is_object() {
        return Err("an event that is not a JSON object".into());
    }
    let record = Mapper { event: &mut event }.map()?;
    // Straight into a buffer: `Value`'s `Display` goes through a formatter per token.
    serde_json::to_string(&record).map_err(|e| format!("the record could not be written: {e}"))
}

/// Takes mapped fields out of the event; what is left becomes `unmapped`.
struct Mapper<'e> {
    event: &'e mut Value,
}

impl Mapper<'_> {
    fn map(mut self) -> Result<Value, String> {
        let uuid = self.string("/uuid");
        let published = self
            .string("/published")
            .ok_or("an event without published")?;
        let time = DateTime::parse_from_rfc3339(&published)
            .map_err(|_| format!("published {published:?} is not a timestamp"))?
            .timestamp_millis();
        let event_type = self.string("/eventType").unwrap_or_default();
        let (mut class, mut activity) = mapping::classify(&event_type);

        let session = self.session();
        // Actor and targets are read, not taken: only what a field receives leaves the event
        // (`used`), at the end; the rest stays under `unmapped`.
        let actor = self.target("/actor");
        let targets = self.targets();
        let target_user = targets.iter().find(|t| t.kind == "User");
        let group = targets.iter().find(|t| t.kind == "UserGroup");
        let app = targets.iter().find(|t| t.kind == "AppInstance");
        let (privileges, privileges_at) = self.privileges(app);
        // The user concerned: the one a target names, else the actor (who signs in is both),
        // but for a group's changes, whose actor is the admin making them.
        let subject = match class {
            Class::GroupManagement => target_user,
            _ => target_user.or(actor.as_ref()),
        };
        // What each class requires; an event without it falls back to API Activity.
        let whole = match class {
            Class::Authentication | Class::AccountChange => subject.is_some(),
            Class::AuthorizeSession => {
                subject.is_some() && (!privileges.is_empty() || group.is_some())
            }
            Class::UserAccess => subject.is_some() && !privileges.is_empty(),
            Class::GroupManagement => group.is_some(),
            Class::EntityManagement => !targets.is_empty(),
            Class::DetectionFinding | Class::ApiActivity => true,
        };
        if !whole {
            (class, activity) = mapping::fallback(&event_type);
        }

        let mut used = Vec::new();
        let mut specific = Map::new();
        let with_privileges = |specific: &mut Map<String, Value>| {
            specific.insert("privileges".into(), json!(privileges));
            privileges_at.clone()
        };
        let privileges_used = match (class, group) {
            (Class::Authentication, _) => {
                // What was signed in to: the app a target names, else Okta itself.
                let service =
                    app.map_or_else(|| json!({"name": "Okta"}), |a| a.as_entity(&mut used));
                specific.insert("service".into(), service);
                specific.insert("is_mfa".into(), json!(event_type.contains("mfa")));
                None
            }
            (Class::GroupManagement, Some(group)) => {
                specific.insert("group".into(), group.as_entity(&mut used));
                (!privileges.is_empty())
                    .then(|| with_privileges(&mut specific))
                    .flatten()
            }
            (Class::UserAccess, _) => {
                if let Some(app) = app {
                    specific.insert("resource".into(), app.as_resource(&mut used));
                }
                with_privileges(&mut specific)
            }
            // Just one of the privileges or the group a session is given.
            (Class::AuthorizeSession, _) if !privileges.is_empty() => {
                with_privileges(&mut specific)
            }
            (Class::AuthorizeSession, Some(group)) => {
                specific.insert("group".into(), group.as_entity(&mut used));
                None
            }
            (Class::EntityManagement, _) => {
                specific.insert("entity".into(), targets[0].as_resource(&mut used));
                None
            }
            (Class::ApiActivity, _) => {
                let resources: Vec<Value> =
                    targets.iter().map(|t| t.as_resource(&mut used)).collect();
                if !resources.is_empty() {
                    specific.insert("resources".into(), json!(resources));
                }
                None
            }
            _ => None,
        };
        used.extend(privileges_used);
        let places_user = matches!(
            class,
            Class::Authentication
                | Class::AccountChange
                | Class::AuthorizeSession
                | Class::UserAccess
                | Class::GroupManagement
        );
        let subject = subject
            .filter(|_| places_user)
            .map(|s| s.as_user(&mut used));
        let actor_user = actor.as_ref().map(|a| a.as_user(&mut used));

        let message = self.string("/displayMessage");
        // Read, not taken: OCSF's severity is its own caption, so Okta's stays in `unmapped`.
        let severity = self.read("/severity");
        let result = self.string("/outcome/result");
        let reason = self.string("/outcome/reason");
        let src_endpoint = self.src_endpoint();
        let device = self.device();
        let http_request = self.http_request();
        let correlation = self.string("/transaction/id");
        let log_version = self.string("/version");

        let severity_id = match severity.as_deref() {
            Some("DEBUG" | "INFO") => 1,
            Some("WARN") => 3,
            Some("ERROR") => 4,
            _ => 0,
        };
        let activity_name = class
            .activity_name(activity)
            .expect("the table's activities");
        let mut record = json!({
            "class_uid": class.uid(),
            "class_name": class.name(),
            "category_uid": class.category_uid(),
            "category_name": class.category_name(),
            "activity_id": activity,
            "activity_name": activity_name,
            "type_uid": class.uid() * 100 + u32::from(activity),
            "type_name": format!("{}: {activity_name}", class.name()),
            "time": time,
            "severity_id": severity_id,
            "severity": SEVERITIES[severity_id],
            "metadata": {
                "version": VERSION,
                "product": {"name": "Okta", "vendor_name": "Okta"},
                "log_name": "System Log",
                "log_provider": "Okta",
                "event_code": event_type,
                "original_time": published,
            },
        });
        let object = record.as_object_mut().expect("made as an object");
        let metadata = object["metadata"]
            .as_object_mut()
            .expect("made as an object");
        put(
            metadata,
            "original_event_uid",
            uuid.clone().map(Value::from),
        );
        put(metadata, "correlation_uid", correlation.map(Value::from));
        put(metadata, "log_version", log_version.map(Value::from));

        if class == Class::DetectionFinding {
            // A finding's status is its own lifecycle (new); Okta's outcome says whether the
            // request was let through.
            object.insert("status_id".into(), json!(1));
            object.insert("status".into(), json!("New"));
            let blocked = matches!(result.as_deref(), Some("FAILURE" | "DENY"));
            let (disposition_id, disposition) = if blocked {
                (2, "Blocked")
            } else {
                (1, "Allowed")
            };
            object.insert("disposition_id".into(), json!(disposition_id));
            object.insert("disposition".into(), json!(disposition));
            let mut finding = json!({
                "uid": uuid.clone().unwrap_or_else(|| format!("{event_type}@{time}")),
                "types": [event_type],
            });
            put(
                finding.as_object_mut().expect("made as an object"),
                "title",
                message.clone().map(Value::from),
            );
            object.insert("finding_info".into(), finding);
        } else {
            let (status_id, status) = match result.as_deref() {
                Some("SUCCESS" | "ALLOW") => (1, "Success".to_owned()),
                Some("FAILURE" | "DENY") => (2, "Failure".to_owned()),
                None | Some("UNKNOWN") => (0, "Unknown".to_owned()),
                Some(other) => (OTHER, other.to_owned()),
            };
            object.insert("status_id".into(), json!(status_id));
            object.insert("status".into(), json!(status));
        }
        put(object, "status_code", result.map(Value::from));
        put(object, "status_detail", reason.map(Value::from));
        put(object, "message", message.map(Value::from));

        let mut actor = Map::new();
        put(&mut actor, "user", actor_user);
        put(&mut actor, "session", session.clone());
        if !actor.is_empty() {
            object.insert("actor".into(), Value::Object(actor));
        }
        put(object, "device", device);
        // Profiles the record uses: `actor` and `device` are the host profile's, a finding's
        // disposition the security control profile's.
        let mut profiles = Vec::new();
        if object.contains_key("actor") || object.contains_key("device") {
            profiles.push("host");
        }
        if object.contains_key("disposition_id") {
            profiles.push("security_control");
        }
        if !profiles.is_empty() {
            object["metadata"]["profiles"] = json!(profiles);
        }
        put(object, "user", subject);
        if matches!(class, Class::Authentication | Class::AuthorizeSession) {
            put(object, "session", session);
        }
        object.extend(specific);
        // API Activity requires a source endpoint; an event Okta raised itself has no client.
        let src_endpoint = match (src_endpoint, class) {
            (None, Class::ApiActivity) => Some(json!({"name": "Okta"})),
            (endpoint, _) => endpoint,
        };
        if class == Class::DetectionFinding {
            // A finding has no endpoint of its own: the request is its evidence.
            let mut evidence = Map::new();
            put(&mut evidence, "src_endpoint", src_endpoint);
            put(&mut evidence, "http_request", http_request.clone());
            if !evidence.is_empty() {
                object.insert("evidences".into(), json!([evidence]));
            }
        } else {
            put(object, "src_endpoint", src_endpoint);
            put(object, "http_request", http_request.clone());
        }
        if class == Class::ApiActivity {
            let mut api = json!({"operation": event_type});
            if let Some(uid) = http_request.as_ref().and_then(|h| h.get("uid")) {
                api["request"] = json!({"uid": uid});
            }
            object.insert("api".into(), api);
        }
        for pointer in used {
            self.take(&pointer);
        }
        prune(self.event);
        if !is_empty(self.event) {
            object.insert("unmapped".into(), self.event.take());
        }
        Ok(record)
    }

    /// Takes the value at `pointer` out of the event (null counts as absent).
    fn take(&mut self, pointer: &str) -> Option<Value> {
        let (parent, key) = pointer.rsplit_once('/')?;
        let parent = at_mut(self.event, parent)?;
        let value = match parent {
            Value::Object(map) => map.remove(key),
            _ => None,
        }?;
        (!value.is_null()).then_some(value)
    }

    /// Takes a string; other JSON values are left in the event.
    fn string(&mut self, pointer: &str) -> Option<String> {
        match at(self.event, pointer) {
            Some(Value::String(_)) => self.take(pointer)?.as_str().map(str::to_owned),
            _ => None,
        }
    }

    /// A string, read and left in the event.
    fn read(&self, pointer: &str) -> Option<String> {
        at(self.event, pointer)?.as_str().map(str::to_owned)
    }

    /// An Okta actor or target (`id`, `alternateId`, `displayName`, `type`) at `at`.
    fn target(&self, at: &str) -> Option<Target> {
        let object = crate::ocsf::at(self.event, at)?;
        let read = |key: &str| object.get(key)?.as_str().map(str::to_owned);
        let target = Target {
            at: at.to_owned(),
            id: read("id"),
            alternate_id: read("alternateId"),
            display_name: read("displayName"),
            kind: read("type").unwrap_or_default(),
        };
        (target.id.is_some() || target.alternate_id.is_some()).then_some(target)
    }

    fn targets(&self) -> Vec<Target> {
        let count = at(self.event, "/target")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        (0..count)
            .filter_map(|i| self.target(&format!("/target/{i}")))
            .collect()
    }

    /// The session Okta's authentication context names.
    fn session(&mut self) -> Option<Value> {
        let mut session = Map::new();
        put(
            &mut session,
            "uid",
            self.string("/authenticationContext/externalSessionId")
                .map(Value::from),
        );
        put(
            &mut session,
            "uid_alt",
            self.string("/authenticationContext/rootSessionId")
                .map(Value::from),
        );
        (!session.is_empty()).then_some(Value::Object(session))
    }

    /// Privileges granted or revoked, and where they were read (taken if they are used):
    /// Okta names admin roles in the debug data; an app assignment grants access to the app.
    fn privileges(&self, app: Option<&Target>) -> (Vec<String>, Option<String>) {
        for key in ["privilegeGranted", "privilegeRevoked"] {
            let pointer = format!("/debugContext/debugData/{key}");
            if let Some(list) = self.read(&pointer) {
                let privileges = list
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
                return (privileges, Some(pointer));
            }
        }
        let named = app
            .and_then(|a| a.display_name.clone().or_else(|| a.id.clone()))
            .map(|name| format!("access to {name}"));
        (named.into_iter().collect(), None)
    }

    /// Where the request came from: the client's IP, geography and network.
    fn src_endpoint(&mut self) -> Option<Value> {
        let ip = self.string("/client/ipAddress")?;
        let mut endpoint = Map::new();
        endpoint.insert("ip".into(), json!(ip));
        let mut location = Map::new();
        let geo = "/client/geographicalContext";
        for (from, to) in [
            ("city", "city"),
            ("state", "region"),
            ("postalCode", "postal_code"),
        ] {
            put(
                &mut location,
                to,
                self.string(&format!("{geo}/{from}")).map(Value::from),
            );
        }
        // The country stays unmapped: Okta names it, OCSF wants an ISO 3166 code.
        if !location.is_empty() {
            for (from, to) in [("lat", "lat"), ("lon", "long")] {
                let pointer = format!("{geo}/geolocation/{from}");
                if at(self.event, &pointer).is_some_and(Value::is_number) {
                    put(&mut location, to, self.take(&pointer));
                }
            }
            endpoint.insert("location".into(), Value::Object(location));
        }
        put(
            &mut endpoint,
            "zone",
            self.string("/client/zone").map(Value::from),
        );
        put(
            &mut endpoint,
            "domain",
            self.string("/securityContext/domain").map(Value::from),
        );
        put(
            &mut endpoint,
            "isp",
            self.string("/securityContext/isp").map(Value::from),
        );
        if at(self.event, "/securityContext/asNumber").is_some_and(Value::is_u64) {
            let mut system = Map::new();
            put(
                &mut system,
                "number",
                self.take("/securityContext/asNumber"),
            );
            put(
                &mut system,
                "name",
                self.string("/securityContext/asOrg").map(Value::from),
            );
            endpoint.insert("autonomous_system".into(), Value::Object(system));
        }
        if let Some(os) = self.string("/client/userAgent/os") {
            endpoint.insert("os".into(), os_of(&os));
        }
        Some(Value::Object(endpoint))
    }

    /// The device Okta names (Identity Engine's registered devices).
    fn device(&mut self) -> Option<Value> {
        let uid = self.string("/device/id");
        let name = self.string("/device/name");
        if uid.is_none() && name.is_none() {
            return None;
        }
        let mut device = Map::new();
        put(&mut device, "uid", uid.map(Value::from));
        put(&mut device, "name", name.map(Value::from));
        let platform = self.string("/device/os_platform");
        let type_id = match platform.as_deref() {
            Some("IOS" | "ANDROID") => 5,
            Some("WINDOWS" | "MACOS" | "LINUX" | "CHROMEOS") => 2,
            _ => 0,
        };
        device.insert("type_id".into(), json!(type_id));
        if let Some(platform) = platform {
            let mut os = os_of(&platform);
            if let Some(version) = self.string("/device/os_version") {
                os["version"] = json!(version);
            }
            device.insert("os".into(), os);
        }
        if at(self.event, "/device/managed").is_some_and(Value::is_boolean) {
            put(&mut device, "is_managed", self.take("/device/managed"));
        }
        Some(Value::Object(device))
    }

    fn http_request(&mut self) -> Option<Value> {
        let mut request = Map::new();
        put(
            &mut request,
            "user_agent",
            self.string("/client/userAgent/rawUserAgent")
                .map(Value::from),
        );
        put(
            &mut request,
            "uid",
            self.string("/debugContext/debugData/requestId")
                .map(Value::from),
        );
        (!request.is_empty()).then_some(Value::Object(request))
    }
}

/// An actor or target as Okta names it.
#[derive(Clone)]
struct Target {
    /// Where it is in the event (`/actor`, `/target/1`).
    at: String,
    id: Option<String>,
    alternate_id: Option<String>,
    display_name: Option<String>,
    kind: String,
}

impl Target {
    /// As an OCSF user; its fields go to `used`.
    fn as_user(&self, used: &mut Vec<String>) -> Value {
        self.uses(used, &["id", "alternateId", "displayName", "type"]);
        let mut user = Map::new();
        put(&mut user, "uid", self.id.clone().map(Value::from));
        put(
            &mut user,
            "name",
            self.alternate_id.clone().map(Value::from),
        );
        put(
            &mut user,
            "full_name",
            self.display_name.clone().map(Value::from),
        );
        if let Some(email) = self.alternate_id.as_deref().filter(|a| is_email(a)) {
            user.insert("email_addr".into(), json!(email));
        }
        let type_id = match self.kind.as_str() {
            "User" => 1,
            "SystemPrincipal" => 3,
            "PublicClientApp" | "AppInstance" | "Client" => 4,
            "" => 0,
            _ => OTHER,
        };
        user.insert("type_id".into(), json!(type_id));
        if !self.kind.is_empty() {
            user.insert("type".into(), json!(self.kind));
        }
        Value::Object(user)
    }

    /// As an OCSF object with `uid` and `name` (group, service); the name is the display
    /// name, else the alternate id, and the other stays in `unmapped`.
    fn as_entity(&self, used: &mut Vec<String>) -> Value {
        let mut entity = Map::new();
        put(&mut entity, "uid", self.id.clone().map(Value::from));
        let (name, key) = match (&self.display_name, &self.alternate_id) {
            (Some(display), _) => (Some(display), "displayName"),
            (None, alternate) => (alternate.as_ref(), "alternateId"),
        };
        put(&mut entity, "name", name.cloned().map(Value::from));
        self.uses(used, &["id", key]);
        Value::Object(entity)
    }

    /// As an entity with its Okta `type` (managed entity, resource).
    fn as_resource(&self, used: &mut Vec<String>) -> Value {
        let mut resource = self.as_entity(used);
        if !self.kind.is_empty() {
            resource["type"] = json!(self.kind);
            self.uses(used, &["type"]);
        }
        resource
    }

    fn uses(&self, used: &mut Vec<String>, keys: &[&str]) {
        used.extend(keys.iter().map(|k| format!("{}/{k}", self.at)));
    }
}

/// `Value::pointer` without its cost: it unescapes every token into a new `String`, which was
/// a tenth of the System Log's CPU. The mapper's pointers are its own, built from constants
/// and array indices, so a token with `~` (an escape) is refused rather than unescaped.
fn at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    tokens(pointer)?.try_fold(value, |value, token| match value {
        Value::Object(map) => map.get(token),
        Value::Array(list) => list.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// [`at`], to change the value.
fn at_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    tokens(pointer)?.try_fold(value, |value, token| match value {
        Value::Object(map) => map.get_mut(token),
        Value::Array(list) => list.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// A pointer's tokens; none for a pointer that is not absolute or has an escape.
fn tokens(pointer: &str) -> Option<impl Iterator<Item = &str>> {
    if pointer.is_empty() {
        return Some(None.into_iter().flatten());
    }
    let rest = pointer
        .strip_prefix('/')
        .filter(|_| !pointer.contains('~'))?;
    Some(Some(rest.split('/')).into_iter().flatten())
}

const SEVERITIES: [&str; 5] = ["Unknown", "Informational", "Low", "Medium", "High"];

/// An operating system by the name Okta gives it.
fn os_of(name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    let type_id = if lower.contains("windows") {
        100
    } else if lower.contains("android") {
        201
    } else if lower.contains("ipad") {
        302
    } else if lower.contains("ios") || lower.contains("iphone") {
        301
    } else if lower.contains("mac") {
        300
    } else if lower.contains("linux") {
        200
    } else if lower == "unknown" {
        0
    } else {
        OTHER.into()
    };
    json!({"name": name, "type_id": type_id})
}

/// Whether OCSF's `email_t` takes this: a plain `local@domain.tld`.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    let domain_ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    !local.is_empty()
        && local.chars().all(local_ok)
        && domain.chars().all(domain_ok)
        && domain
            .split_once('.')
            .is_some_and(|(host, rest)| !host.is_empty() && !rest.is_empty())
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}

/// Removes nulls and emptied objects, so `unmapped` holds only what is left. Array elements
/// keep their places (a target's leftovers stay at its index).
fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                prune(v);
            }
            map.retain(|_, v| !v.is_null() && !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.iter().all(is_empty),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_find_what_value_pointer_finds() {
        let mut event = json!({
            "a": {"b": [{"c": 1}, "x"], "": 2, "d/e": 3},
            "target": [{"id": "u1"}],
        });
        for pointer in [
            "",
            "/a",
            "/a/b",
            "/a/b/0/c",
            "/a/b/1",
            "/a/b/2",
            "/a/b/x",
            "/a/",
            "/target/0/id",
            "/a/b/0/c/d",
            "/missing",
            "a",
        ] {
            assert_eq!(at(&event, pointer), event.pointer(pointer), "{pointer}");
            let expected = event.clone().pointer_mut(pointer).map(|v| v.clone());
            assert_eq!(
                at_mut(&mut event, pointer).map(|v| v.clone()),
                expected,
                "{pointer}"
            );
        }
        // An escaped token is refused, not misread: the mapper's pointers have none.
        assert_eq!(at(&event, "/a/d~1e"), None);
    }

    fn event(event_type: &str, result: &str, targets: Value) -> String {
        json!({
            "uuid": "5d5f3d3c-1e2a-11f1-9c8e-6f1a2b3c4d5e",
            "published": "2026-12-01T10:00:00.123Z",
            "eventType": event_type,
            "displayMessage": "something happened",
            "severity": "WARN",
            "version": "0",
            "legacyEventType": "core.legacy",
            "outcome": {"result": result, "reason": "because"},
            "actor": {"id": "00u1", "type": "User", "alternateId": "ann@acme.example",
                      "displayName": "Ann", "detailEntry": null},
            "client": {"ipAddress": "203.0.113.9", "device": "Computer",
                       "geographicalContext": {"country": "United States", "city": "Oslo",
                                               "geolocation": {"lat": 1.5, "lon": 2.5}}},
            "target": targets,
        })
        .to_string()
    }

    fn mapped(raw: &str) -> Value {
        serde_json::from_str(&record(raw).unwrap()).unwrap()
    }

    #[test]
    fn a_denied_sign_on_is_a_failure_and_what_is_not_mapped_stays() {
        let r = mapped(&event("policy.evaluate_sign_on", "DENY", json!([])));
        assert_eq!(
            (r["class_uid"].clone(), r["activity_id"].clone()),
            (json!(3002), json!(6))
        );
        assert_eq!(r["type_uid"], 300206);
        assert_eq!(
            (r["status_id"].clone(), r["status"].clone()),
            (json!(2), json!("Failure"))
        );
        assert_eq!(r["status_detail"], "because");
        assert_eq!(
            (r["severity_id"].clone(), r["severity"].clone()),
            (json!(3), json!("Medium"))
        );
        assert_eq!(r["time"], 1_796_119_200_123_i64);
        assert_eq!(
            r["metadata"]["original_event_uid"],
            "5d5f3d3c-1e2a-11f1-9c8e-6f1a2b3c4d5e"
        );
        assert_eq!(r["user"]["email_addr"], "ann@acme.example");
        assert_eq!(r["src_endpoint"]["location"]["long"], 2.5);
        assert_eq!(r["service"]["name"], "Okta");
        assert_eq!(r["metadata"]["profiles"], json!(["host"]));
        // Exactly what was not mapped, as Okta sent it; nothing mapped twice.
        assert_eq!(
            r["unmapped"],
            json!({"legacyEventType": "core.legacy", "severity": "WARN",
                   "client": {"device": "Computer",
                              "geographicalContext": {"country": "United States"}}})
        );
    }

    #[test]
    fn a_class_without_its_required_object_falls_back_to_api_activity() {
        let user = json!([{"id": "00u2", "type": "User", "alternateId": "bo@acme.example"}]);
        let r = mapped(&event("group.user_membership.add", "SUCCESS", user));
        assert_eq!(
            (r["class_uid"].clone(), r["activity_id"].clone()),
            (json!(6003), json!(1))
        );
        assert_eq!(r["api"]["operation"], "group.user_membership.add");
        assert_eq!(r["resources"][0]["uid"], "00u2");
        let group = json!([{"id": "00g1", "type": "UserGroup", "displayName": "Staff"},
                           {"id": "00u2", "type": "User", "alternateId": "bo@acme.example"}]);
        let r = mapped(&event("group.user_membership.add", "SUCCESS", group));
        assert_eq!(
            (r["class_uid"].clone(), r["activity_id"].clone()),
            (json!(3006), json!(3))
        );
        assert_eq!(r["group"], json!({"uid": "00g1", "name": "Staff"}));
        assert_eq!(r["user"]["uid"], "00u2");
        assert_eq!(r["actor"]["user"]["uid"], "00u1");
    }

    #[test]
    fn targets_and_debug_data_no_field_receives_stay_unmapped() {
        let sso = json!([{"id": "0oa1", "type": "AppInstance", "alternateId": "Wiki",
                          "displayName": "Wiki", "detailEntry": {"signOnModeType": "SAML_2_0"}},
                         {"id": "0ua1", "type": "AppUser", "alternateId": "ann@acme.example"}]);
        let r = mapped(&event("user.authentication.sso", "SUCCESS", sso));
        assert_eq!(r["service"], json!({"uid": "0oa1", "name": "Wiki"}));
        assert_eq!(
            r["unmapped"]["target"],
            json!([{"type": "AppInstance", "alternateId": "Wiki",
                    "detailEntry": {"signOnModeType": "SAML_2_0"}},
                   {"id": "0ua1", "type": "AppUser", "alternateId": "ann@acme.example"}])
        );
        // A grant whose class cannot be filled (no group) keeps the privilege it names.
        let mut grant: Value =
            serde_json::from_str(&event("group.privilege.grant", "SUCCESS", json!([]))).unwrap();
        grant["debugContext"] =
            json!({"debugData": {"privilegeGranted": "Help Desk Administrator"}});
        let r = mapped(&grant.to_string());
        assert_eq!(r["class_uid"], 6003);
        assert_eq!(
            r["unmapped"]["debugContext"]["debugData"]["privilegeGranted"],
            "Help Desk Administrator"
        );
    }

    #[test]
    fn a_finding_keeps_its_own_status_and_the_request_as_evidence() {
        let r = mapped(&event("security.threat.detected", "DENY", json!([])));
        assert_eq!(r["class_uid"], 2004);
        assert_eq!(
            (r["status_id"].clone(), r["disposition_id"].clone()),
            (json!(1), json!(2))
        );
        assert_eq!(
            r["finding_info"]["uid"],
            "5d5f3d3c-1e2a-11f1-9c8e-6f1a2b3c4d5e"
        );
        assert_eq!(r["evidences"][0]["src_endpoint"]["ip"], "203.0.113.9");
        assert!(r.get("src_endpoint").is_none());
        assert_eq!(
            r["metadata"]["profiles"],
            json!(["host", "security_control"])
        );
    }

    #[test]
    fn broken_events_are_refused_with_the_reason() {
        assert!(record("[1]").unwrap_err().contains("object"));
        assert!(
            record(r#"{"eventType":"x"}"#)
                .unwrap_err()
                .contains("published")
        );
        assert!(
            record(r#"{"published":"yesterday"}"#)
                .unwrap_err()
                .contains("timestamp")
        );
    }
}
