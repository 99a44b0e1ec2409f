//! The DNS resolver of the shared HTTP client: an org URL's name may only lead to public
//! addresses (and, with the loopback opt-in for tests and the demo, to loopback).
//!
//! Org URLs that are IP literals are checked when they are parsed ([`super::OrgUrl`]); a name
//! is only known after it is resolved, so the check sits here. The addresses this resolver
//! returns are the ones the client connects to, so what was checked is what is connected to:
//! a second DNS answer cannot slip another address in.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves with the system resolver and keeps only the addresses credentials may go to.
pub struct PublicResolver {
    allow_loopback: bool,
    /// Hosts of the proxies configured in the environment: reached as they resolve. Behind a
    /// proxy the org's name is resolved by the proxy, not here.
    proxies: Vec<String>,
}

impl PublicResolver {
    /// `allow_loopback`: the `OKTA_INGEST_ALLOW_HTTP_LOOPBACK=1` opt-in; `proxies`: the proxy
    /// settings reqwest also reads (`HTTPS_PROXY=http://proxy.corp:3128`, …).
    pub fn new(allow_loopback: bool, proxies: &[String]) -> Self {
        Self {
            allow_loopback,
            proxies: proxy_hosts(proxies),
        }
    }
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_loopback = self.allow_loopback;
        let proxy = self.proxies.iter().any(|p| p.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if proxy {
                return Ok(Box::new(resolved.into_iter()) as Addrs);
            }
            let (usable, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
                .into_iter()
                .partition(|a| permitted(a.ip(), allow_loopback));
            if usable.is_empty() {
                return Err(Box::new(NonPublicAddress {
                    host,
                    addresses: refused.iter().map(SocketAddr::ip).collect(),
                }) as _);
            }
            if !refused.is_empty() {
                tracing::warn!(
                    host = %host,
                    refused = ?refused.iter().map(SocketAddr::ip).collect::<Vec<_>>(),
                    "the org's name also resolves to non-public addresses; only its public ones are used"
                );
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

/// An org's name resolved only to addresses it may not lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonPublicAddress {
    pub host: String,
    pub addresses: Vec<IpAddr>,
}

impl fmt::Display for NonPublicAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addresses: Vec<String> = self.addresses.iter().map(IpAddr::to_string).collect();
        write!(
            f,
            "the org URL's host {} resolves to a non-public address ({}); nothing was sent to it. \
             An org URL must lead to Okta on the internet (OKTA_INGEST_ALLOW_HTTP_LOOPBACK=1 \
             allows loopback, for tests only)",
            self.host,
            addresses.join(", ")
        )
    }
}

impl std::error::Error for NonPublicAddress {}

/// May credentials go to `ip`? Public addresses yes; loopback only with the opt-in; private,
/// link-local, shared (CGNAT), unspecified, multicast, documentation and reserved ranges never.
pub fn permitted(ip: IpAddr, allow_loopback: bool) -> bool {
    let ip = match ip {
        // An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return allow_loopback;
    }
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network", 0.0.0.0 included
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16, cloud metadata services
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, IETF protocol assignments
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b & 0xfe) == 18) // 198.18/15, benchmarking
        || a >= 224) // multicast, reserved, broadcast
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address that decides.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, the former site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32, documentation
        || s[..6] == [0; 6]) // ::/96, IPv4-compatible and other reserved
}

/// The hosts of proxy settings (`http://proxy.corp:3128`, or without a scheme).
fn proxy_hosts(values: &[String]) -> Vec<String> {
    values
        .iter()
        .filter_map(|value| {
            let value = value.trim();
            let url = if value.contains("://") {
                url::Url::parse(value)
            } else {
                url::Url::parse(&format!("http://{value}"))
            };
            url.ok()?.host_str().map(str::to_owned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_permitted() {
        for public in [
            "1.1.1.1",
            "52.10.20.30",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2600:1f18::1",
            "::ffff:52.10.20.30",
            "64:ff9b::3414:141e",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(permitted(ip, false), "{public}");
        }
        for forbidden in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = forbidden.parse().unwrap();
            assert!(!permitted(ip, false), "{forbidden}");
        }
    }

    #[test]
    fn the_opt_in_allows_loopback_and_nothing_else_private() {
        for loopback in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(permitted(loopback.parse().unwrap(), true), "{loopback}");
        }
        for private in [
            "10.0.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "fd00::1",
            "0.0.0.0",
        ] {
            assert!(!permitted(private.parse().unwrap(), true), "{private}");
        }
    }

    #[test]
    fn proxy_settings_name_their_hosts() {
        let values = [
            "http://proxy.corp:3128",
            "10.0.0.5:8080",
            " socks5://s.corp ",
            "::",
        ];
        assert_eq!(
            proxy_hosts(&values.map(String::from)),
            ["proxy.corp", "10.0.0.5", "s.corp"]
        );
    }

    #[tokio::test]
    async fn a_name_for_loopback_resolves_only_with_the_opt_in() {
        let name = || "localhost".parse::<Name>().unwrap();
        let err = match PublicResolver::new(false, &[]).resolve(name()).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let refused = err.downcast_ref::<NonPublicAddress>().expect("typed");
        assert_eq!(refused.host, "localhost");
        assert!(refused.addresses.iter().all(IpAddr::is_loopback));
        let text = err.to_string();
        assert!(
            text.contains("localhost resolves to a non-public address (")
                && text.contains(&refused.addresses[0].to_string()),
            "{text}"
        );
        let addrs: Vec<SocketAddr> = PublicResolver::new(true, &[])
            .resolve(name())
            .await
            .unwrap()
            .collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
