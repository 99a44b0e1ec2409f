//! Okta-looking identifiers and timestamps, drawn from the seeded generator.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 20-character Okta id: a 3-character type prefix (`00u` user, `00g` group, `0oa` app, …)
/// and 17 base62 characters.
pub(crate) fn okta_id(rng: &mut fastrand::Rng, prefix: &str) -> String {
    prefix.to_owned() + &base62(rng, 20 - prefix.len())
}

/// `len` random base62 characters: key ids, external ids, secrets.
pub(crate) fn base62(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| BASE62[rng.usize(..BASE62.len())] as char)
        .collect()
}

/// Okta's timestamp form: UTC with milliseconds, `2024-05-04T19:50:52.000Z`.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A moment between `days` days before `anchor` and `anchor`, at second precision.
pub(crate) fn days_before(
    rng: &mut fastrand::Rng,
    anchor: DateTime<Utc>,
    days: i64,
) -> DateTime<Utc> {
    anchor - Duration::seconds(rng.i64(0..=days.max(0) * 86_400))
}

/// A moment between `earliest` and `latest`, at second precision.
pub(crate) fn between(
    rng: &mut fastrand::Rng,
    earliest: DateTime<Utc>,
    latest: DateTime<Utc>,
) -> DateTime<Utc> {
    let span = (latest - earliest).num_seconds().max(0);
    earliest + Duration::seconds(rng.i64(0..=span))
}

/// One of `items`, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}
