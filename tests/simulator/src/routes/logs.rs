//! `GET /api/v1/logs`, the System Log, with Okta's two kinds of request:
//! - polling (no `until`, ascending): events in persistence order from `since` (default
//!   7 days back), and always a `next` link with an opaque cursor, even on an empty page;
//! - bounded (`until`, or descending): events with `since <= published < until` ordered by
//!   `published`, the last page without `next`.
//!
//! `since` more than 180 days back is refused (400 E0000053); events older than the 90-day
//! retention are never returned. A bounded request applies `filter` on `eventType` (`eq`, `sw`,
//! joined by `or`); polling accepts `filter` and `q` but does not apply them.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};

use super::Call;
use crate::filter::Filter;
use crate::paging;
use crate::reply::{invalid_parameter, okta_error};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;

/// Where a cursor continues: a polling position (sequence, the `since` it started from) or
/// the bounded key of the last event served (published, sequence).
enum Cursor {
    Poll { seq: usize, since_ms: i64 },
    Bounded { published_ms: i64, seq: usize },
}

pub(crate) fn list(call: &Call) -> Response {
    let log = call.org.system_log.as_ref();
    let now = Utc::now();
    let limit = match call.param("limit").map(|l| l.trim().parse::<i64>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if n >= 0 => (n as usize).min(MAX_LIMIT),
        Some(_) => return invalid_parameter("limit: must be between 0 and 1000"),
    };
    let descending = match call.param("sortOrder").unwrap_or("ASCENDING") {
        "ASCENDING" => false,
        "DESCENDING" => true,
        _ => return invalid_parameter("sortOrder: must be ASCENDING or DESCENDING"),
    };
    let (since, until) = match (time(call, "since"), time(call, "until")) {
        (Ok(since), Ok(until)) => (since, until),
        (Err(response), _) | (_, Err(response)) => return response,
    };
    if since.is_some_and(|since| since < now - Duration::days(180)) {
        return okta_error(
            StatusCode::BAD_REQUEST,
            "E0000053",
            "Invalid parameter: since parameter is over 180 days prior to the current day",
        );
    }
    let retained_ms = (now - Duration::days(90)).timestamp_millis();
    let epoch = log.cursor_epoch();
    let after = match call.param("after").map(|c| decode(c, epoch)) {
        None => None,
        Some(Some(cursor)) => Some(cursor),
        Some(None) => return invalid_parameter("after: the cursor is invalid or has expired"),
    };

    if until.is_none() && !descending {
        let (start, since_ms) = match after {
            Some(Cursor::Poll { seq, since_ms }) => (seq, since_ms),
            Some(Cursor::Bounded { .. }) => {
                return invalid_parameter("after: not a polling cursor");
            }
            None => (
                0,
                since.unwrap_or(now - Duration::days(7)).timestamp_millis(),
            ),
        };
        let (events, next) = log.poll(start, since_ms.max(retained_ms), limit);
        let cursor = encode(
            epoch,
            &Cursor::Poll {
                seq: next,
                since_ms,
            },
        );
        // `since` and `after` are exclusive: the cursor carries `since` on.
        let next_url = paging::next_url(call, &cursor, &["since"]);
        return paging::links_response(call, &events, Some(next_url));
    }

    let until = until.unwrap_or(now);
    let since = since.unwrap_or(until - Duration::days(7));
    let after = match after {
        Some(Cursor::Bounded { published_ms, seq }) => Some((published_ms, seq)),
        Some(Cursor::Poll { .. }) => return invalid_parameter("after: not a bounded cursor"),
        None => None,
    };
    let filter = match call
        .param("filter")
        .map(|f| Filter::parse(f, &["eventType"], &[]))
    {
        None => None,
        Some(Ok(filter)) => Some(filter),
        Some(Err(e)) => return invalid_parameter(&format!("filter: {e}")),
    };
    let (events, next) = log.bounded(
        since.timestamp_millis().max(retained_ms),
        until.timestamp_millis(),
        descending,
        after,
        limit,
        |event| {
            filter.as_ref().is_none_or(|f| {
                serde_json::from_str::<serde_json::Value>(event.get()).is_ok_and(|e| f.accepts(&e))
            })
        },
    );
    let next_url = next.map(|(published_ms, seq)| {
        paging::next_url(
            call,
            &encode(epoch, &Cursor::Bounded { published_ms, seq }),
            &[],
        )
    });
    paging::links_response(call, &events, next_url)
}

/// An ISO-8601 time parameter, if present.
fn time(call: &Call, name: &str) -> Result<Option<DateTime<Utc>>, Response> {
    call.param(name)
        .map(|text| {
            DateTime::parse_from_rfc3339(text.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| invalid_parameter(&format!("{name}: not an ISO 8601 date-time")))
        })
        .transpose()
}

fn encode(epoch: u32, cursor: &Cursor) -> String {
    let text = match cursor {
        Cursor::Poll { seq, since_ms } => format!("p.{epoch}.{seq}.{since_ms}"),
        Cursor::Bounded { published_ms, seq } => format!("b.{epoch}.{published_ms}.{seq}"),
    };
    URL_SAFE_NO_PAD.encode(text)
}

/// The cursor, if it is well-formed and from the current epoch.
fn decode(cursor: &str, epoch: u32) -> Option<Cursor> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let mut parts = text.split('.');
    let (kind, issued, a, b) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if issued.parse::<u32>().ok()? != epoch || parts.next().is_some() {
        return None;
    }
    match kind {
        "p" => Some(Cursor::Poll {
            seq: a.parse().ok()?,
            since_ms: b.parse().ok()?,
        }),
        "b" => Some(Cursor::Bounded {
            published_ms: a.parse().ok()?,
            seq: b.parse().ok()?,
        }),
        _ => None,
    }
}
