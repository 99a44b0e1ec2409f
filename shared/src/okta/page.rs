//! One stream of pages for every list endpoint: follow `next` exactly as Okta gives it.
//!
//! The first URL is built once by the caller (with the endpoint's largest `limit`); after that
//! only `Link: <…>; rel="next"` (any of several `Link` headers) or, for some `/api/v1/iam/*`
//! endpoints, the body's `_links.next.href` decides where to go. A next link on another origin
//! ends the stream with an error before any credential is sent there, and so does one that
//! leads back to a page already read, which would otherwise loop for ever.
//!
//! Two things real orgs do are mended here rather than failing the listing: a page that times
//! out on Okta's side (5xx after the transport's retries) is asked for again with a smaller
//! `limit`, as Okta's docs advise, and a 200 whose body is cut short is fetched again.

use std::collections::HashSet;
use std::ops::Range;

use bytes::Bytes;
use futures::Stream;
use reqwest::header::{HeaderMap, LINK};
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::client::OktaClient;
use super::error::OktaError;
use super::transport::RequestCounters;

/// A timed-out page is asked for again with half its `limit` while that is at least this;
/// Okta's own page sizes start about here (`queryGroupAssignmentLimit` has a minimum of 20).
const SMALLEST_LIMIT: u32 = 20;
/// Fetches of one page whose body does not parse before the listing gives up.
const BODY_ATTEMPTS: u32 = 3;

/// Where an endpoint's records sit in its response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A JSON array of records; paged by `Link` headers.
    Array,
    /// An object holding the records under this key; paged by `_links.next.href` (or `Link`).
    Field(&'static str),
    /// The whole body is one record; never paged.
    Object,
}

/// One page as Okta sent it: the raw body, where its records sit in it, and the next page's
/// URL, if any. The body is parsed once, when the page is made; records are slices of it.
#[derive(Debug)]
pub struct Page {
    pub body: Bytes,
    pub next: Option<Url>,
    records: Vec<Range<usize>>,
}

impl Page {
    /// Finds the records of `body` (shaped as `shape`), or says why it is not what Okta
    /// promises (a body cut short, say).
    fn parse(body: Bytes, next: Option<Url>, shape: Shape) -> Result<Self, OktaError> {
        let malformed = |e: serde_json::Error| OktaError::Malformed(format!("page body: {e}"));
        let found: Vec<&RawValue> = match shape {
            Shape::Array => serde_json::from_slice(&body).map_err(malformed)?,
            Shape::Field(key) => {
                #[derive(Deserialize)]
                struct Wrapper<'a>(
                    #[serde(borrow)] std::collections::HashMap<&'a str, &'a RawValue>,
                );
                let Wrapper(fields) = serde_json::from_slice(&body).map_err(malformed)?;
                match fields.get(key) {
                    Some(items) => serde_json::from_str(items.get()).map_err(malformed)?,
                    None => Vec::new(),
                }
            }
            Shape::Object => vec![serde_json::from_slice(&body).map_err(malformed)?],
        };
        // Raw values borrow the body as it is, so each one's place in it is its pointer's.
        let records = found
            .iter()
            .map(|r| {
                let start = r.get().as_ptr() as usize - body.as_ptr() as usize;
                start..start + r.get().len()
            })
            .collect();
        Ok(Self {
            body,
            next,
            records,
        })
    }

    /// The page's records, each exactly as Okta sent it (not re-serialised).
    pub fn records(&self) -> Vec<&str> {
        self.records
            .iter()
            .map(|r| std::str::from_utf8(&self.body[r.clone()]).expect("the parser read UTF-8"))
            .collect()
    }
}

/// The `rel="next"` target among the `Link` headers, verbatim.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(link_values)
        .find(|(_, params)| {
            params.split(';').any(|p| {
                let Some((k, v)) = p.split_once('=') else {
                    return false;
                };
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            })
        })
        .map(|(target, _)| target.to_owned())
}

/// Splits one `Link` header value into `(target, params)` pairs. Targets are bracketed, so a
/// comma inside one does not split it.
fn link_values(value: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let target = &rest[open + 1..open + close];
        let after = &rest[open + close + 1..];
        let end = after.find(",").map_or(after.len(), |i| {
            // A comma ends the params only if a new `<` follows it.
            after[i..].find('<').map_or(after.len(), |j| i + j)
        });
        out.push((target, &after[..end]));
        rest = &after[end..];
    }
    out
}

fn body_next(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Href {
        href: String,
    }
    #[derive(Deserialize)]
    struct Links {
        next: Option<Href>,
    }
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "_links")]
        links: Option<Links>,
    }
    serde_json::from_slice::<Body>(body)
        .ok()?
        .links?
        .next
        .map(|n| n.href)
}

impl OktaClient {
    /// Every page of a listing, starting at `first`, requesting with `scope`.
    pub fn pages<'a>(
        &'a self,
        first: Url,
        scope: &'a str,
        shape: Shape,
        tally: &'a RequestCounters,
    ) -> impl Stream<Item = Result<Page, OktaError>> + 'a {
        let followed = HashSet::from([first.to_string()]);
        futures::stream::try_unfold((Next::At(first), followed), move |(next, mut followed)| {
            async move {
                let mut url = match next {
                    Next::At(url) => url,
                    Next::End => return Ok(None),
                    Next::Loop(e) => return Err(e),
                };
                let page = loop {
                    match self.get_page(&url, scope, shape, tally).await {
                        Err(e @ OktaError::Transient { .. }) => match smaller_page(&url) {
                            Some(smaller) => {
                                tracing::warn!(error = %e, url = %smaller, "page timed out; asking again with a smaller limit");
                                url = smaller;
                            }
                            None => return Err(e),
                        },
                        page => break page?,
                    }
                };
                // This page's records still count; the listing ends after them.
                let next = match &page.next {
                    None => Next::End,
                    Some(next) if followed.insert(next.to_string()) => Next::At(next.clone()),
                    Some(next) => Next::Loop(OktaError::Malformed(format!(
                        "the next link of {url} leads back to a page already read in this listing ({next}); stopped rather than loop"
                    ))),
                };
                Ok(Some((page, (next, followed))))
            }
        })
    }

    /// One page and the URL of the next, if any. A body that does not parse (a 200 cut
    /// short) is fetched again before it counts as Okta's answer.
    pub async fn get_page(
        &self,
        url: &Url,
        scope: &str,
        shape: Shape,
        tally: &RequestCounters,
    ) -> Result<Page, OktaError> {
        let mut attempt = 1;
        loop {
            match self.get_page_once(url, scope, shape, tally).await {
                Err(OktaError::Malformed(e)) if attempt < BODY_ATTEMPTS => {
                    tracing::warn!(attempt, error = %e, "page body does not parse; fetching it again");
                    attempt += 1;
                }
                Err(OktaError::Malformed(e)) => {
                    return Err(OktaError::Malformed(format!("{e}, {attempt} times")));
                }
                page => return page,
            }
        }
    }

    async fn get_page_once(
        &self,
        url: &Url,
        scope: &str,
        shape: Shape,
        tally: &RequestCounters,
    ) -> Result<Page, OktaError> {
        let response = self.get(url, scope, tally).await?;
        let next = match shape {
            Shape::Object => None,
            Shape::Array => next_link(&response.headers),
            Shape::Field(_) => body_next(&response.body).or_else(|| next_link(&response.headers)),
        };
        // Relative links are resolved against the page they came from. The origin is checked
        // when the link is followed (`OktaClient::get`), so this page's records still count.
        let next = match next {
            None => None,
            Some(raw) => Some(
                url.join(&raw)
                    .map_err(|_| OktaError::Malformed("a next link is not a URL".into()))?,
            ),
        };
        Page::parse(response.body, next, shape)
    }
}

/// Where a listing goes after a page.
enum Next {
    At(Url),
    End,
    /// The next link leads back to a page already read: the error the listing ends with.
    Loop(OktaError),
}

/// `url` with its `limit` halved, if half is still at least [`SMALLEST_LIMIT`]; everything
/// else (the `after` cursor above all) stays as Okta gave it.
fn smaller_page(url: &Url) -> Option<Url> {
    let mut halved = None;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = match (k.as_ref(), v.parse::<u32>()) {
                ("limit", Ok(limit)) if limit / 2 >= SMALLEST_LIMIT => {
                    let smaller = limit / 2;
                    halved = Some(smaller);
                    smaller.to_string()
                }
                _ => v.into_owned(),
            };
            (k.into_owned(), v)
        })
        .collect();
    halved?;
    let mut smaller = url.clone();
    smaller.query_pairs_mut().clear().extend_pairs(pairs);
    Some(smaller)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn finds_next_among_several_link_headers_verbatim() {
        let mut h = HeaderMap::new();
        h.append(
            LINK,
            HeaderValue::from_static(
                r#"<https://acme.okta.com/api/v1/users?limit=200>; rel="self""#,
            ),
        );
        h.append(
            LINK,
            HeaderValue::from_static(
                r#"<https://acme.okta.com/api/v1/users?after=00u%2Cx&limit=200>; rel="next""#,
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://acme.okta.com/api/v1/users?after=00u%2Cx&limit=200")
        );
    }

    #[test]
    fn finds_next_in_one_comma_separated_header() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            HeaderValue::from_static(
                r#"<https://a.okta.com/x?a=1,2>; rel="self", <https://a.okta.com/x?after=b>; rel=next"#,
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://a.okta.com/x?after=b")
        );
        h.insert(
            LINK,
            HeaderValue::from_static(r#"<https://a.okta.com/x>; rel="self""#),
        );
        assert_eq!(next_link(&h), None);
    }

    #[test]
    fn a_smaller_page_halves_the_limit_while_it_stays_twenty_or_more() {
        let url = Url::parse("https://a.okta.com/api/v1/groups/00g1/users?limit=200&after=00u%2Cx")
            .unwrap();
        let smaller = smaller_page(&url).unwrap();
        assert_eq!(smaller.path(), "/api/v1/groups/00g1/users");
        let pairs: Vec<_> = smaller.query_pairs().collect();
        assert_eq!(pairs[0], ("limit".into(), "100".into()));
        assert_eq!(pairs[1], ("after".into(), "00u,x".into()));
        let limits: Vec<String> = std::iter::successors(Some(url), smaller_page)
            .map(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "limit")
                    .unwrap()
                    .1
                    .into_owned()
            })
            .collect();
        assert_eq!(limits, ["200", "100", "50", "25"]);
        assert!(
            smaller_page(&Url::parse("https://a.okta.com/api/v1/users/00u1/factors").unwrap())
                .is_none()
        );
    }

    #[test]
    fn records_by_shape_pass_through_unchanged() {
        let page = |body: &'static [u8], shape| Page::parse(Bytes::from_static(body), None, shape);
        let array = page(
            br#"[{"id":"a","x":1.50},{"id":"b","n":{"k":[]}}]"#,
            Shape::Array,
        )
        .unwrap();
        assert_eq!(
            array.records(),
            [r#"{"id":"a","x":1.50}"#, r#"{"id":"b","n":{"k":[]}}"#]
        );

        let body: &[u8] =
            br#"{"value":[{"id":"u1"}],"_links":{"next":{"href":"https://a/x?after=u1"}}}"#;
        assert_eq!(
            page(body, Shape::Field("value")).unwrap().records(),
            [r#"{"id":"u1"}"#]
        );
        assert!(
            page(body, Shape::Field("roles"))
                .unwrap()
                .records()
                .is_empty()
        );
        assert_eq!(body_next(body).as_deref(), Some("https://a/x?after=u1"));
        assert_eq!(page(body, Shape::Object).unwrap().records().len(), 1);
        // A body cut short is no page.
        assert!(matches!(
            page(br#"[{"id":"a"},{"id"#, Shape::Array),
            Err(OktaError::Malformed(_))
        ));
    }
}
