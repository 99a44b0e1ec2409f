//! The org itself: its settings object, the small settings endpoints under `/api/v1/org`,
//! its contacts, and its custom domains.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::words::{COMPANY, EMAIL_DOMAIN};
use crate::ids::{base62, okta_id, timestamp};

pub(crate) struct Org {
    pub org: Value,
    /// Path under `/api/v1/org` (`/preferences`, `/privacy/oktaSupport`, …) → its object.
    pub settings: BTreeMap<String, Value>,
    pub contacts: Vec<Value>,
    pub domains: Vec<Value>,
}

pub(crate) fn org(rng: &mut fastrand::Rng, id: &str, url: &str, anchor: DateTime<Utc>) -> Org {
    let created = anchor - Duration::days(1_600);
    let org = json!({
        "id": id,
        "subdomain": "acme",
        "companyName": COMPANY,
        "status": "ACTIVE",
        "created": timestamp(created),
        "lastUpdated": timestamp(anchor - Duration::days(12)),
        "expiresAt": null,
        "website": format!("https://www.{EMAIL_DOMAIN}"),
        "phoneNumber": "+1-415-555-0100",
        "address1": "100 Market St",
        "address2": "Floor 6",
        "city": "San Francisco",
        "state": "CA",
        "country": "United States",
        "postalCode": "94105",
        "supportPhoneNumber": "+1-415-555-0199",
        "endUserSupportHelpURL": format!("https://help.{EMAIL_DOMAIN}"),
        "_links": {
            "preferences": { "href": format!("{url}/api/v1/org/preferences") },
            "uploadLogo": { "href": format!("{url}/api/v1/org/logo"), "hints": { "allow": ["POST"] } },
            "oktaCommunication": { "href": format!("{url}/api/v1/org/privacy/oktaCommunication") },
            // One link, as Okta's Org API reference shows it (apps and groups carry a list).
            "logo": { "href": format!("{url}/bc/image/fileStoreRecord?id=fs{}", &id[3..]) },
            "oktaSupport": { "href": format!("{url}/api/v1/org/privacy/oktaSupport") },
            "contacts": { "href": format!("{url}/api/v1/org/contacts") },
        },
    });
    let support_case = format!("{:08}", rng.u32(10_000_000..99_999_999));
    let settings = [
        ("/preferences", json!({
            "showEndUserFooter": true,
            "_links": { "hideEndUserFooter": { "href": format!("{url}/api/v1/org/preferences/hideEndUserFooter"), "hints": { "allow": ["POST"] } } },
        })),
        ("/privacy/oktaSupport", json!({
            "support": "ENABLED",
            "expiration": timestamp(anchor + Duration::hours(8)),
            "caseNumber": support_case,
            "_links": {
                "cases": { "href": format!("{url}/api/v1/org/privacy/oktaSupport/cases"), "hints": { "allow": ["GET"] } },
                "revoke": { "href": format!("{url}/api/v1/org/privacy/oktaSupport/revoke"), "hints": { "allow": ["POST"] } },
            },
        })),
        ("/privacy/oktaCommunication", json!({
            "optOutEmailUsers": false,
            "_links": { "optOut": { "href": format!("{url}/api/v1/org/privacy/oktaCommunication/optOut"), "hints": { "allow": ["POST"] } } },
        })),
        ("/orgSettings/thirdPartyAdminSetting", json!({ "thirdPartyAdmin": false })),
        ("/settings/clientPrivilegesSetting", json!({ "clientPrivilegesSetting": rng.bool() })),
        ("/settings/autoAssignAdminAppSetting", json!({ "autoAssignAdminAppSetting": true })),
    ]
    .into_iter()
    .map(|(path, value)| (path.to_owned(), value))
    .collect();
    let contacts = ["BILLING", "TECHNICAL"]
        .iter()
        .map(|kind| {
            let rel = kind.to_lowercase();
            json!({ "contactType": kind, "_links": { rel.clone(): { "href": format!("{url}/api/v1/org/contacts/{rel}") } } })
        })
        .collect();
    let domains = ["login", "id"]
        .iter()
        .map(|host| {
            let id = okta_id(rng, "OcD");
            let domain = format!("{host}.{EMAIL_DOMAIN}");
            let managed = *host == "login";
            // Fields with nothing to say are absent, not null, as in Okta's Domains API
            // reference: a DNS record without an expiration, a domain without a certificate.
            let mut record = json!({
                "id": id,
                "domain": domain,
                "certificateSourceType": if managed { "OKTA_MANAGED" } else { "MANUAL" },
                "validationStatus": if managed { "VERIFIED" } else { "IN_PROGRESS" },
                "brandId": okta_id(rng, "bnd"),
                "dnsRecords": [
                    { "fqdn": format!("_oktaverification.{domain}"), "recordType": "TXT", "values": [base62(rng, 32).to_lowercase()] },
                    { "fqdn": domain, "recordType": "CNAME", "values": ["acme.customdomains.okta.com"] },
                ],
                "_links": {
                    "self": { "href": format!("{url}/api/v1/domains/{id}"), "hints": { "allow": ["GET", "PUT", "DELETE"] } },
                    "verify": { "href": format!("{url}/api/v1/domains/{id}/verify"), "hints": { "allow": ["POST"] } },
                    "certificate": { "href": format!("{url}/api/v1/domains/{id}/certificate"), "hints": { "allow": ["PUT"] } },
                },
            });
            if managed {
                record["publicCertificate"] = json!({
                    "subject": format!("CN={domain}"),
                    "fingerprint": (0..32).map(|_| format!("{:02X}", rng.u8(..))).collect::<Vec<_>>().join(":"),
                    "expiration": timestamp(anchor + Duration::days(60)),
                });
            }
            record
        })
        .collect();
    Org {
        org,
        settings,
        contacts,
        domains,
    }
}
