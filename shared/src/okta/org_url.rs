//! A tenant's Okta org URL, validated once: the only origin credentials are ever sent to.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// Why an org URL was refused. Says what is wrong, never echoes credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgUrlError {
    #[error("is not a URL ({0}); expected e.g. https://acme.okta.com")]
    Unparsable(String),
    #[error(
        "must use https; plain http is allowed only to a loopback host with OKTA_INGEST_ALLOW_HTTP_LOOPBACK=1"
    )]
    NotHttps,
    #[error("must name the org by its domain (e.g. acme.okta.com), not an IP address")]
    IpLiteral,
    #[error("must not carry a user name or password")]
    UserInfo,
    #[error(
        "must be the bare origin (e.g. https://acme.okta.com) without a path, query or fragment"
    )]
    NotBareOrigin,
    #[error("is the Admin Console's address; the API is served on the org URL {org_url}")]
    AdminConsole { org_url: String },
}

/// Okta's own org domains: `{org}-admin.<one of these>` is an org's Admin Console, which
/// does not serve the API to integrations (Okta's SDKs refuse it too).
const OKTA_DOMAINS: &[&str] = &[
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
];

/// The scheme, host and port of one Okta org. Paths are joined onto it; other origins are foreign.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgUrl {
    base: Url,
}

impl OrgUrl {
    /// Validates an org URL. `allow_http_loopback` is the explicit opt-in for tests and the demo.
    pub fn parse(input: &str, allow_http_loopback: bool) -> Result<Self, OrgUrlError> {
        let input = input.trim();
        // A trailing slash is how people paste URLs; it is still the bare origin.
        let url = Url::parse(input).map_err(|e| OrgUrlError::Unparsable(e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OrgUrlError::UserInfo);
        }
        if !(url.path() == "/" || url.path().is_empty())
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(OrgUrlError::NotBareOrigin);
        }
        let host = url.host().ok_or(OrgUrlError::NotBareOrigin)?;
        let loopback = match &host {
            Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
            Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
        };
        if let Host::Domain(domain) = &host
            && let Some(org_url) = org_url_of_admin_host(domain, url.port())
        {
            return Err(OrgUrlError::AdminConsole { org_url });
        }
        match url.scheme() {
            "https" if matches!(host, Host::Domain(_)) => {}
            "https" => return Err(OrgUrlError::IpLiteral),
            "http" if allow_http_loopback && loopback => {}
            _ => return Err(OrgUrlError::NotHttps),
        }
        let mut base = url;
        base.set_path("");
        Ok(Self { base })
    }

    /// `https://acme.okta.com` (no trailing slash).
    pub fn as_str(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// An absolute URL for a path on this org, e.g. `/api/v1/users`.
    pub fn join(&self, path_and_query: &str) -> Url {
        // `path_and_query` comes from our own resource table, so it always parses.
        self.base
            .join(path_and_query)
            .expect("resource paths are valid relative references")
    }

    /// True when `url` is on this org's origin (scheme, host and port all equal).
    pub fn is_same_origin(&self, url: &Url) -> bool {
        url.origin() == self.base.origin()
    }

    /// The org's token endpoint (org authorization server), used for OAuth 2.0.
    pub fn token_endpoint(&self) -> Url {
        self.join("/oauth2/v1/token")
    }
}

/// `https://acme.okta.com` for `acme-admin.okta.com`; `None` for any other host. The URL
/// parser has lowercased the domain already.
fn org_url_of_admin_host(domain: &str, port: Option<u16>) -> Option<String> {
    let (label, parent) = domain.split_once('.')?;
    let org = label.strip_suffix("-admin").filter(|org| !org.is_empty())?;
    OKTA_DOMAINS.contains(&parent).then(|| match port {
        Some(port) => format!("https://{org}.{parent}:{port}"),
        None => format!("https://{org}.{parent}"),
    })
}

impl fmt::Debug for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgUrl({})", self.as_str())
    }
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_domains_with_or_without_trailing_slash() {
        for ok in [
            "https://acme.okta.com",
            "https://acme.okta.com/",
            "https://login.acme.example:8443",
        ] {
            let url = OrgUrl::parse(ok, false).unwrap();
            assert!(url.as_str().starts_with("https://"), "{ok}");
            assert!(!url.as_str().ends_with('/'), "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else_with_a_reason() {
        let cases = [
            ("http://acme.okta.com", OrgUrlError::NotHttps),
            ("https://10.0.0.1", OrgUrlError::IpLiteral),
            ("https://[2001:db8::1]", OrgUrlError::IpLiteral),
            ("https://admin:pw@acme.okta.com", OrgUrlError::UserInfo),
            ("https://acme.okta.com/api", OrgUrlError::NotBareOrigin),
            ("https://acme.okta.com/?x=1", OrgUrlError::NotBareOrigin),
            ("https://acme.okta.com/#x", OrgUrlError::NotBareOrigin),
            ("http://127.0.0.1:8080", OrgUrlError::NotHttps),
            ("ftp://acme.okta.com", OrgUrlError::NotHttps),
        ];
        for (input, want) in cases {
            assert_eq!(OrgUrl::parse(input, false).unwrap_err(), want, "{input}");
        }
        assert!(matches!(
            OrgUrl::parse("acme.okta.com", false),
            Err(OrgUrlError::Unparsable(_))
        ));
    }

    #[test]
    fn the_admin_console_host_is_refused_naming_the_org_url() {
        for (admin, org) in [
            ("https://acme-admin.okta.com", "https://acme.okta.com"),
            (
                "https://acme-admin.oktapreview.com/",
                "https://acme.oktapreview.com",
            ),
            (
                "https://ACME-admin.okta-emea.com",
                "https://acme.okta-emea.com",
            ),
        ] {
            let err = OrgUrl::parse(admin, false).unwrap_err();
            assert!(err.to_string().contains(org), "{admin}: {err}");
        }
        // A custom domain may be named anything; only Okta's own admin hosts are known.
        assert!(OrgUrl::parse("https://sso-admin.acme.example", false).is_ok());
        assert!(OrgUrl::parse("https://acme-admins.okta.com", false).is_ok());
    }

    #[test]
    fn http_only_to_loopback_and_only_with_the_opt_in() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(OrgUrl::parse(ok, true).is_ok(), "{ok}");
        }
        assert_eq!(
            OrgUrl::parse("http://acme.okta.com", true).unwrap_err(),
            OrgUrlError::NotHttps
        );
        assert_eq!(
            OrgUrl::parse("http://192.168.1.1", true).unwrap_err(),
            OrgUrlError::NotHttps
        );
    }

    #[test]
    fn same_origin_means_scheme_host_and_port() {
        let org = OrgUrl::parse("https://acme.okta.com", false).unwrap();
        assert!(
            org.is_same_origin(&Url::parse("https://acme.okta.com/api/v1/users?after=x").unwrap())
        );
        assert!(!org.is_same_origin(&Url::parse("https://evil.example/api/v1/users").unwrap()));
        assert!(!org.is_same_origin(&Url::parse("http://acme.okta.com/api/v1/users").unwrap()));
        assert!(!org.is_same_origin(&Url::parse("https://acme.okta.com:444/x").unwrap()));
        assert_eq!(
            org.token_endpoint().as_str(),
            "https://acme.okta.com/oauth2/v1/token"
        );
    }
}
