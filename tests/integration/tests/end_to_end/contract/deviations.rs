//! Where real Okta answers outside its own OpenAPI schema, on purpose and on record: the
//! simulator answers as Okta does, and the contract test lets exactly these through.
//!
//! Each entry names the operation, the places in the response body (JSON pointers, `*` for any
//! one array index or key) and the one thing allowed there, with the evidence that Okta sends
//! it. A place that no response needs any more fails the test, so the list stays as short as
//! the truth.
//!
//! The evidence is mostly the OpenAPI document itself: its response examples come from real
//! orgs, and where one contradicts the schema beside it, the example shows what Okta sends.

use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// What may stand where the schema says otherwise.
#[derive(Debug)]
pub enum Allows {
    /// `null` where the schema does not say `nullable`.
    Null,
    /// An array where the schema wants another type.
    Array,
    /// A value outside the schema's `enum`, or not matching its `pattern`.
    Value(&'static str),
}

#[derive(Debug)]
pub struct Deviation {
    /// The spec's path template of the GET operation.
    pub operation: &'static str,
    pub at: &'static [&'static str],
    pub allows: Allows,
    pub evidence: &'static str,
}

pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        operation: "/api/v1/apps",
        at: &[
            "/*/accessibility/errorRedirectUrl",
            "/*/accessibility/loginRedirectUrl",
        ],
        allows: Allows::Null,
        evidence: "spec examples GetApplicationsByKeyResponseEx, GetApplicationsByNameResponseEx, \
                   GetApplicationsByGroupResponseEx: both null",
    },
    Deviation {
        operation: "/api/v1/apps/{appId}/users",
        at: &["/*/externalId", "/*/lastSync"],
        allows: Allows::Null,
        evidence: "spec examples AppUserCredUpdateResponse (externalId) and the app user \
                   embedded in GetApplicationsByKeyResponseEx (both): null for an app user that \
                   is not provisioned",
    },
    Deviation {
        operation: "/api/v1/iam/roles/{roleIdOrLabel}/permissions",
        at: &["/permissions/*/conditions/include/*"],
        allows: Allows::Array,
        evidence: "spec example PermissionsResponse: \"okta:ResourceAttribute/User/Profile\": \
                   [\"city\", \"state\", \"zipCode\"], where the schema wants an object",
    },
    Deviation {
        operation: "/api/v1/org",
        at: &["/expiresAt"],
        allows: Allows::Null,
        evidence: "Okta's Org API reference (okta-developer-docs, docs/reference/api/org), Get \
                   Org settings: \"expiresAt\": null for an org that does not expire",
    },
    Deviation {
        operation: "/api/v1/devices",
        at: &["/*/resourceAlternateId"],
        allows: Allows::Null,
        evidence: "spec examples APIDevicesListAllResponse, APIDevicesListAllUserSummaryResponse",
    },
    Deviation {
        operation: "/api/v1/devices",
        at: &["/*/status"],
        allows: Allows::Value("CREATED"),
        evidence: "spec examples APIDevicesListAllResponse, APIDevicesListAllUserSummaryResponse: \
                   a registered device not yet activated; DeviceStatus lacks it",
    },
    Deviation {
        operation: "/api/v1/devices",
        at: &["/*/_links/self/hints/allow/*"],
        allows: Allows::Value("PATCH"),
        evidence: "spec examples APIDevicesListAllResponse, APIDevicesListAllUserSummaryResponse: \
                   [\"GET\", \"PATCH\", \"PUT\"]; HttpMethod lacks PATCH",
    },
    Deviation {
        operation: "/api/v1/idps",
        at: &["/*/policy/accountLink/filter", "/*/policy/subject/filter"],
        allows: Allows::Null,
        evidence: "spec example MultipleIdPsResponse: both null on its IdPs",
    },
    Deviation {
        operation: "/api/v1/logs",
        at: &[
            "/*/actor/detailEntry",
            "/*/target/*/detailEntry",
            "/*/client/id",
            "/*/client/zone",
            "/*/authenticationContext/authenticationProvider",
            "/*/authenticationContext/credentialProvider",
            "/*/authenticationContext/credentialType",
            "/*/authenticationContext/interface",
            "/*/authenticationContext/issuer",
            "/*/outcome/reason",
            "/*/request/ipChain/*/source",
        ],
        allows: Allows::Null,
        evidence: "spec example ListLogs: every one of these null in an ordinary sign-in event",
    },
    Deviation {
        operation: "/api/v1/api-tokens",
        at: &["/*/tokenWindow"],
        allows: Allows::Value("P30D"),
        evidence: "spec example ApiTokenListMetadataResponse: \"P30D\"; TimeDuration's pattern \
                   `^P(?:$)…` matches nothing but \"P\"",
    },
];

/// The deviation and place that allow `error` in a response of `operation`, if any.
pub fn allowing(operation: &str, error: &ValidationError<'_>) -> Option<(usize, usize)> {
    let at = error.instance_path().to_string();
    let instance: &Value = error.instance();
    DEVIATIONS.iter().enumerate().find_map(|(i, d)| {
        let allowed = d.operation == operation
            && match (&d.allows, error.kind()) {
                (Allows::Null, ValidationErrorKind::Type { .. }) => instance.is_null(),
                (Allows::Null, ValidationErrorKind::Enum { .. }) => instance.is_null(),
                (Allows::Array, ValidationErrorKind::Type { .. }) => instance.is_array(),
                (Allows::Value(v), ValidationErrorKind::Enum { .. }) => instance == *v,
                (Allows::Value(v), ValidationErrorKind::Pattern { .. }) => instance == *v,
                _ => false,
            };
        let place = d.at.iter().position(|p| matches_pointer(p, &at));
        place.filter(|_| allowed).map(|place| (i, place))
    })
}

fn matches_pointer(pattern: &str, pointer: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let pointer: Vec<&str> = pointer.split('/').collect();
    pattern.len() == pointer.len()
        && pattern
            .iter()
            .zip(&pointer)
            .all(|(p, s)| *p == "*" || p == s)
}

#[test]
fn patterns_match_one_segment_per_star() {
    assert!(matches_pointer("/*/status", "/14/status"));
    assert!(matches_pointer(
        "/permissions/*/conditions/include/*",
        "/permissions/1/conditions/include/okta:ResourceAttribute~1User~1Profile"
    ));
    assert!(!matches_pointer("/*/status", "/14/profile/status"));
    assert!(!matches_pointer("/expiresAt", "/0/expiresAt"));
}
