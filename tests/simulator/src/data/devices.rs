//! Devices registered through Okta Verify (Identity Engine), and the users each belongs to
//! as `expand=user` embeds them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::ids::{base62, between, okta_id, pick, timestamp};

/// Platform, manufacturer, model, OS version, disk encryption, whether it is a phone.
const MODELS: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "MACOS",
        "Apple Inc.",
        "MacBookPro18,3",
        "14.5.0",
        "ALL_INTERNAL_VOLUMES",
        false,
    ),
    (
        "MACOS",
        "Apple Inc.",
        "Mac14,2",
        "15.1.0",
        "ALL_INTERNAL_VOLUMES",
        false,
    ),
    (
        "WINDOWS",
        "LENOVO",
        "20XW0026US",
        "10.0.22631",
        "ALL_INTERNAL_VOLUMES",
        false,
    ),
    (
        "WINDOWS",
        "Dell Inc.",
        "Latitude 7440",
        "10.0.19045",
        "SYSTEM_VOLUME",
        false,
    ),
    (
        "IOS",
        "Apple Inc.",
        "iPhone15,2",
        "17.5.1",
        "ALL_INTERNAL_VOLUMES",
        true,
    ),
    ("ANDROID", "Google", "Pixel 8", "14", "USER", true),
    ("ANDROID", "samsung", "SM-S921B", "14", "FULL", true),
    // No Chromebooks: the Devices API's platforms are ANDROID, IOS, MACOS and WINDOWS.
    (
        "MACOS",
        "Apple Inc.",
        "Mac15,3",
        "14.6.1",
        "ALL_INTERNAL_VOLUMES",
        false,
    ),
];

pub(crate) struct Devices {
    pub devices: Vec<Value>,
    /// Device id → the `_embedded.users` entries `expand=user` returns (full users inside).
    pub users: BTreeMap<String, Vec<Value>>,
}

pub(crate) fn devices(
    rng: &mut fastrand::Rng,
    count: usize,
    users: &[Value],
    url: &str,
    anchor: DateTime<Utc>,
) -> Devices {
    let owners: Vec<&Value> = users.iter().filter(|u| !u["lastLogin"].is_null()).collect();
    let mut devices = Vec::with_capacity(count);
    let mut embedded = BTreeMap::new();
    for _ in 0..count {
        let id = okta_id(rng, "guo");
        let (platform, manufacturer, model, os, encryption, phone) = *pick(rng, MODELS);
        let created = between(
            rng,
            anchor - Duration::days(700),
            anchor - Duration::days(1),
        );
        let status = match rng.u8(..20) {
            0 => "SUSPENDED",
            1 => "DEACTIVATED",
            2 => "CREATED",
            _ => "ACTIVE",
        };
        let owner = (!owners.is_empty()).then(|| *pick(rng, &owners));
        let first_name = owner
            .and_then(|o| o["profile"]["firstName"].as_str())
            .unwrap_or("Shared");
        let display = format!(
            "{first_name}'s {}",
            if phone {
                model
            } else {
                platform_name(platform)
            }
        );
        let mut profile = json!({
            "displayName": display,
            "platform": platform,
            "manufacturer": manufacturer,
            "model": model,
            "osVersion": os,
            "serialNumber": base62(rng, 12).to_uppercase(),
            "udid": format!("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", rng.u32(..), rng.u16(..), rng.u16(..), rng.u16(..), rng.u64(..1 << 48)),
            "registered": true,
            "secureHardwarePresent": rng.u8(..4) != 0,
            "diskEncryptionType": encryption,
        });
        if phone {
            profile["imei"] = json!(format!("35{:013}", rng.u64(..10_000_000_000_000)));
            profile["integrityJailbreak"] = json!(rng.u8(..50) == 0);
        }
        if platform == "WINDOWS" {
            profile["sid"] = json!(format!(
                "S-1-5-21-{}-{}-{}",
                rng.u32(..),
                rng.u32(..),
                rng.u16(1000..)
            ));
            profile["tpmPublicKeyHash"] = json!(base62(rng, 43));
        }
        devices.push(json!({
            "id": id,
            "status": status,
            "created": timestamp(created),
            "lastUpdated": timestamp(between(rng, created, anchor)),
            "profile": profile,
            "resourceType": "UDDevice",
            "resourceDisplayName": { "value": display, "sensitive": false },
            "resourceAlternateId": null,
            "resourceId": id,
            "_links": {
                "suspend": { "href": format!("{url}/api/v1/devices/{id}/lifecycle/suspend"), "hints": { "allow": ["POST"] } },
                "self": { "href": format!("{url}/api/v1/devices/{id}"), "hints": { "allow": ["GET", "PATCH", "PUT"] } },
                "users": { "href": format!("{url}/api/v1/devices/{id}/users"), "hints": { "allow": ["GET"] } },
                "deactivate": { "href": format!("{url}/api/v1/devices/{id}/lifecycle/deactivate"), "hints": { "allow": ["POST"] } },
            },
        }));
        // Shared devices (no owner) have no users; one in ten is shared by two.
        let mut holders: Vec<&Value> = owner.into_iter().collect();
        if !owners.is_empty() && rng.u8(..10) == 0 {
            holders.push(*pick(rng, &owners));
        }
        holders.dedup_by(|a, b| a["id"] == b["id"]);
        let entries = holders
            .into_iter()
            .map(|user| {
                json!({
                    "created": timestamp(between(rng, created, anchor)),
                    "managementStatus": if rng.u8(..3) == 0 { "NOT_MANAGED" } else { "MANAGED" },
                    "screenLockType": if phone { "BIOMETRIC" } else { pick(rng, &["PASSCODE", "BIOMETRIC"]) },
                    "user": user,
                })
            })
            .collect();
        embedded.insert(id, entries);
    }
    devices.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Devices {
        devices,
        users: embedded,
    }
}

fn platform_name(platform: &str) -> &'static str {
    match platform {
        "MACOS" => "MacBook",
        "WINDOWS" => "Windows laptop",
        _ => "device",
    }
}
