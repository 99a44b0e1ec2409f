//! Okta's rate-limit buckets: which of the endpoints we call share one quota.
//!
//! Okta counts an org's requests in buckets, each one endpoint or a family of them, and the
//! most specific bucket wins: the exact user listing is not `/api/v1/users/*`. We pace by these
//! buckets, not by path, so that endpoints sharing a quota also share our part of it: the apps
//! listing and every app's users, groups and grants together stay within one share.
//!
//! Okta shows an org's buckets on its rate-limit dashboard; this table follows the last table
//! of them Okta published in its developer docs (removed in December 2025). Where Okta does not
//! say which bucket an endpoint counts against, the row says the mapping is our best reading.

use Paths::{Below, Exact, Tree};

/// How a row matches request paths (never the query).
enum Paths {
    /// This path only.
    Exact(&'static str),
    /// This path and every path below it.
    Tree(&'static str),
    /// Only the paths below this one.
    Below(&'static str),
}

/// The buckets of the endpoints we call, most specific first: the first matching row wins.
const BUCKETS: &[(Paths, &str)] = &[
    (Exact("/oauth2/v1/token"), "/oauth2/v1/token"),
    // The listing (GET/POST) has a bucket of its own.
    (Exact("/api/v1/users"), "/api/v1/users"),
    // Okta names GET /api/v1/users/{idOrLogin}; that a user's factors and roles count there
    // too is our best reading.
    (Below("/api/v1/users"), "/api/v1/users/*"),
    (Exact("/api/v1/groups"), "/api/v1/groups"),
    // Best reading: a group's members and roles, and the group rules, count with the groups.
    (Below("/api/v1/groups"), "/api/v1/groups/*"),
    // One small bucket for the listing and every app's users, groups and grants.
    (Tree("/api/v1/apps"), "/api/v1/apps*"),
    (Tree("/api/v1/logs"), "/api/v1/logs"),
    (Tree("/api/v1/devices"), "/api/v1/devices"),
];

/// Okta's "everything else under /api/v1": the org, its settings, policies, IdPs, zones, and
/// (our best reading, Okta does not list them) the `/api/v1/iam/*` role endpoints.
const EVERYTHING_ELSE: &str = "/api/v1/*";

impl Paths {
    fn matches(&self, path: &str) -> bool {
        let below = |root: &str| {
            path.strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/'))
        };
        match *self {
            Exact(p) => path == p,
            Tree(p) => path == p || below(p),
            Below(p) => below(p),
        }
    }
}

/// The rate-limit bucket a request to `url` counts against, named after Okta's dashboard.
pub fn bucket_of(url: &url::Url) -> &'static str {
    let path = url.path().trim_end_matches('/');
    BUCKETS
        .iter()
        .find(|(paths, _)| paths.matches(path))
        .map_or(EVERYTHING_ELSE, |(_, bucket)| bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_bucket_wins() {
        let b = |path: &str| {
            bucket_of(&url::Url::parse(&format!("https://a.okta.com{path}?limit=200")).unwrap())
        };
        assert_eq!(b("/api/v1/users"), "/api/v1/users");
        assert_eq!(b("/api/v1/users/"), "/api/v1/users");
        assert_eq!(b("/api/v1/users/00u1/factors"), "/api/v1/users/*");
        assert_eq!(b("/api/v1/groups"), "/api/v1/groups");
        assert_eq!(b("/api/v1/groups/rules"), "/api/v1/groups/*");
        assert_eq!(b("/api/v1/groups/00g1/users"), "/api/v1/groups/*");
        for apps in [
            "/api/v1/apps",
            "/api/v1/apps/0oa1/users",
            "/api/v1/apps/0oa1/groups",
            "/api/v1/apps/0oa1/grants",
        ] {
            assert_eq!(b(apps), "/api/v1/apps*", "{apps}");
        }
        assert_eq!(
            b("/api/v1/applications"),
            "/api/v1/*",
            "a word, not a prefix"
        );
        assert_eq!(b("/api/v1/logs"), "/api/v1/logs");
        assert_eq!(b("/api/v1/devices"), "/api/v1/devices");
        assert_eq!(b("/oauth2/v1/token"), "/oauth2/v1/token");
        assert_eq!(b("/api/v1/iam/roles/cr0/permissions"), "/api/v1/*");
        assert_eq!(b("/api/v1/org/privacy/oktaSupport"), "/api/v1/*");
    }
}
