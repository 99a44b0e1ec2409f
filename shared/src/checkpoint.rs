//! The System Log's polling cursor for one tenant, with the de-duplication boundary: a small
//! JSON object changed only by conditional writes (create-only when absent, compare-and-swap on
//! the ETag otherwise), so whoever loses a write stops without writing more.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::layout::RunId;

/// Where the live System Log poll stands for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The `next` link to poll from, verbatim as Okta gave it.
    pub cursor: String,
    /// The newest `published` delivered so far.
    pub watermark: Option<DateTime<Utc>>,
    /// Uuid → `published` of the events delivered within [`BOUNDARY`] of the watermark: an
    /// event seen again (after a restart from the watermark) is dropped.
    pub boundary: BTreeMap<String, DateTime<Utc>>,
    /// Set while a run may have written parts beyond `cursor`: whoever continues writes the
    /// same part names again, so a crashed run's parts are replaced, not duplicated.
    pub writing: Option<PartNaming>,
    /// Where live ingestion began (the first run's `since`).
    pub started_from: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The names the next page's parts get: `{run_id}-part-{part:05}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartNaming {
    pub run_id: RunId,
    pub part: u32,
}

/// How far behind the watermark an event may be and still be remembered for de-duplication.
pub const BOUNDARY: Duration = Duration::seconds(5);

impl Checkpoint {
    /// Records delivered events: moves the watermark and keeps the boundary window's uuids.
    pub fn advance(&mut self, delivered: impl IntoIterator<Item = (String, DateTime<Utc>)>) {
        for (uuid, published) in delivered {
            self.watermark = Some(self.watermark.map_or(published, |w| w.max(published)));
            self.boundary.insert(uuid, published);
        }
        if let Some(watermark) = self.watermark {
            let floor = watermark - BOUNDARY;
            self.boundary.retain(|_, published| *published >= floor);
        }
    }

    /// True if this event was already delivered (within the boundary window).
    pub fn delivered(&self, uuid: &str) -> bool {
        self.boundary.contains_key(uuid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_keeps_the_last_seconds_of_uuids() {
        let t0 = Utc::now();
        let mut c = Checkpoint {
            cursor: "c".into(),
            watermark: None,
            boundary: BTreeMap::new(),
            writing: None,
            started_from: t0,
            updated_at: t0,
            updated_by: "r".into(),
        };
        c.advance([
            ("a".to_owned(), t0),
            ("b".to_owned(), t0 + Duration::seconds(3)),
        ]);
        assert!(c.delivered("a") && c.delivered("b"));
        // A late event (published long ago) moves nothing and is not needed at the boundary.
        c.advance([("late".to_owned(), t0 - Duration::hours(1))]);
        assert_eq!(c.watermark, Some(t0 + Duration::seconds(3)));
        assert!(!c.delivered("late"));
        c.advance([("c".to_owned(), t0 + Duration::seconds(9))]);
        assert!(!c.delivered("a"), "a fell out of the 5 s window");
        assert!(!c.delivered("b") && c.delivered("c"));
    }
}
