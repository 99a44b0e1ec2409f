//! The System Log, continuously and exactly once.
//!
//! Live runs follow Okta's polling request (`sortOrder=ASCENDING`, no `until`, `limit=1000`)
//! from the stored `next` link and stop at the first short page, keeping its `next` as the
//! cursor (no extra empty poll). Each page becomes one part per event-hour, and then the
//! checkpoint moves, by compare-and-swap, past that page. Before the first part, the run
//! records in the checkpoint the names its parts will get; a run that continues after a crash
//! reuses those names, so the crashed run's unconfirmed parts are overwritten by the same
//! events rather than duplicated. A lease keeps two runs from polling one tenant at once.
//!
//! Resources derived from the log (its OCSF form) are written with each page, from the same
//! events as written (after the PII controls), under the same hours and part names, before the
//! checkpoint moves: a crash leaves both or neither confirmed, and both are rewritten alike.
//!
//! A backfill (`since` and `until`) reads a bounded window and leaves the live cursor alone;
//! a window that ends within the last few minutes is cut back to end before them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde::Deserialize;
use url::Url;

use crate::checkpoint::{BOUNDARY, Checkpoint, PartNaming};
use crate::layout;
use crate::lease::{Claim, HeldLease, LeaseRefused};
use crate::manifest::Manifest;
use crate::okta::{OktaError, Page, RequestCounters, Shape};
use crate::outcome::{Ended, Stop};
use crate::pii::scrub;
use crate::resources::Resource;
use crate::scope::Scope;
use crate::sink::{Encoder, PartInfo, PartShape};
use crate::store::{PutMode, StateObject, StoreError};

/// Okta's largest System Log page; a page shorter than this means "caught up".
const PAGE: usize = 1000;
/// Okta keeps 90 days of System Log.
const RETENTION_DAYS: i64 = 90;
/// How close to now a backfill may end. Okta warns that a bounded query ("since" and "until")
/// may miss events that are delayed: they are stored after later ones, so a window read too
/// soon stays short of them for good. Polling (live runs) sees them when they arrive; a
/// backfill ends this long before now and leaves the rest to polling.
const SETTLING: Duration = Duration::minutes(5);

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// Continue from the checkpoint (or start `lookback_days` back on the first run).
    Live,
    /// A bounded window, written without touching the live cursor.
    Backfill {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
}

impl Window {
    /// A backfill of `since` to `until`, checked when the request is read, before Okta is
    /// asked: `since` before `until`, inside Okta's retention, and more than the settling time
    /// ago (an `until` later than that is moved back when the run starts).
    pub fn backfill(since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Self, String> {
        let now = Utc::now();
        let oldest = now - Duration::days(RETENTION_DAYS);
        if since >= until || since < oldest || since >= now - SETTLING {
            return Err(format!(
                "a backfill needs since < until, with since after {} (Okta keeps {RETENTION_DAYS} days) and more than {} minutes ago (later events may still be delayed)",
                oldest.to_rfc3339_opts(SecondsFormat::Secs, true),
                SETTLING.num_minutes()
            ));
        }
        Ok(Window::Backfill { since, until })
    }
}

/// One tenant's System Log run.
pub struct LogRun<'a> {
    pub scope: &'a Scope<'a>,
    pub resource: &'static Resource,
    /// Resources made from each event, written beside it (see [`Resource::derived`]).
    pub beside: Vec<&'static Resource>,
    pub lookback_days: u32,
}

/// What a run got through.
#[derive(Default)]
struct Progress {
    parts: Vec<PartInfo>,
    /// The parts of each resource written beside, in the order of [`LogRun::beside`].
    beside_parts: Vec<Vec<PartInfo>>,
    notes: Vec<String>,
    newest: Option<DateTime<Utc>>,
    duplicates: u64,
}

/// How a System Log run ended.
pub struct LogRunEnd {
    /// The log's manifest, then one per resource written beside it.
    pub manifests: Vec<Manifest>,
    /// Live polling stopped for the deadline with events still to read: the checkpoint holds
    /// the place, and another invocation right away would drain the backlog.
    pub behind: bool,
}

impl LogRun<'_> {
    pub async fn run(&self, window: &Window) -> LogRunEnd {
        let started = Utc::now();
        let tally = RequestCounters::default();
        let no_requests = RequestCounters::default();
        let mut progress = Progress {
            beside_parts: vec![Vec::new(); self.beside.len()],
            ..Progress::default()
        };
        let outcome = match window {
            Window::Live => self.live(&tally, &mut progress).await,
            Window::Backfill { since, until } => {
                self.backfill(*since, *until, &tally, &mut progress).await
            }
        };
        if progress.duplicates > 0 {
            progress.notes.push(format!(
                "{} events already delivered were dropped at the boundary",
                progress.duplicates
            ));
        }
        let lag_seconds = progress
            .newest
            .map(|n| (Utc::now() - n).num_seconds().max(0));
        let behind =
            matches!(window, Window::Live) && outcome.as_ref().is_err_and(Stop::at_page_boundary);
        match (&outcome, window) {
            (Ok(()), Window::Live) => progress.notes.push("caught up".into()),
            _ if behind => progress.notes.push(format!(
                "behind by {} minutes; the next runs drain the backlog",
                lag_seconds.unwrap_or(0) / 60
            )),
            _ => {}
        }
        tracing::info!(
            events = crate::sink::records_written(&progress.parts),
            lag_seconds,
            requests = tally.snapshot().requests,
            "system log run finished"
        );
        let mut manifests = Vec::with_capacity(1 + self.beside.len());
        let beside = self.beside.iter().zip(progress.beside_parts);
        for (resource, parts) in [(&self.resource, progress.parts)].into_iter().chain(beside) {
            let derived = resource.derived.is_some();
            let mut notes = progress.notes.clone();
            if derived {
                notes.push(format!(
                    "made from the {} events written",
                    self.resource.name
                ));
            }
            let manifest = Ended {
                resource: resource.name,
                outcome: outcome.clone(),
                parts,
                // Requests are the log's: a derived resource makes none of its own.
                tally: if derived { &no_requests } else { &tally },
                earlier_requests: Default::default(),
                replace: false,
                started,
                notes,
                excluded: Vec::new(),
                unread: Vec::new(),
                lag_seconds,
                refresh: None,
            }
            .record(self.scope.store, self.scope.tenant, self.scope.run)
            .await;
            manifests.push(manifest);
        }
        LogRunEnd { manifests, behind }
    }

    async fn live(&self, tally: &RequestCounters, progress: &mut Progress) -> Result<(), Stop> {
        let lease = StateObject::new(
            self.scope.store,
            layout::state(self.resource.name, self.scope.tenant, "lease"),
        );
        let acquired = HeldLease::acquire(
            lease,
            self.scope.run.as_str(),
            self.scope.time.lease_until,
            Claim::Plain,
        )
        .await;
        let lease = match acquired {
            Ok(lease) => lease,
            Err(LeaseRefused::Held(holder)) => return Err(Stop::Busy(Box::new(holder))),
            Err(LeaseRefused::Store(e)) => return Err(Stop::Store(e)),
            Err(refused @ (LeaseRefused::Served | LeaseRefused::Wait(_))) => {
                unreachable!("a plain claim is only ever held or taken: {refused:?}")
            }
        };
        let polled = self.poll(tally, progress).await;
        lease.release(false).await;
        polled
    }

    /// Follows the cursor until a short page, the deadline or an error.
    async fn poll(&self, tally: &RequestCounters, progress: &mut Progress) -> Result<(), Stop> {
        let state = StateObject::new(
            self.scope.store,
            layout::state(self.resource.name, self.scope.tenant, "checkpoint"),
        );
        let now = Utc::now();
        let (mut checkpoint, mut etag, resumed) = match state.load::<Checkpoint>().await? {
            Some((checkpoint, etag)) => (checkpoint, Some(etag), true),
            None => {
                let since = now - Duration::days(i64::from(self.lookback_days));
                let checkpoint = Checkpoint {
                    cursor: self.polling_url(since).to_string(),
                    watermark: None,
                    boundary: BTreeMap::new(),
                    writing: None,
                    started_from: since,
                    updated_at: now,
                    updated_by: self.scope.run.to_string(),
                };
                (checkpoint, None, false)
            }
        };
        if let Some(writing) = &checkpoint.writing {
            progress.notes.push(format!(
                "continued the unconfirmed parts of run {} from part {}",
                writing.run_id, writing.part
            ));
        }
        let mut naming = checkpoint.writing.clone().unwrap_or(PartNaming {
            run_id: self.scope.run.clone(),
            part: 0,
        });
        // Claim: say which part names we will write before writing any.
        checkpoint.writing = Some(naming.clone());
        etag = Some(self.save(&state, &mut checkpoint, etag.as_deref()).await?);

        let stored = Url::parse(&checkpoint.cursor)
            .map_err(|_| OktaError::Malformed("the stored cursor is not a URL".into()))?;
        let mut url = match self.scope.client.same_origin(stored) {
            Ok(url) => url,
            // The tenant's org URL changed (a custom domain, a new simulator): the cursor is
            // never followed to its old origin; polling restarts from the watermark instead.
            Err(e) => self.restart(
                &checkpoint,
                format!("the stored cursor is for another origin ({e})"),
                progress,
            ),
        };
        let mut may_restart = resumed;
        loop {
            if self
                .scope
                .time
                .log_stop_at
                .is_some_and(|at| Instant::now() >= at)
            {
                return Err(Stop::Deadline);
            }
            let page = match self
                .scope
                .client
                .get_page(&url, self.resource.scope, Shape::Array, tally)
                .await
            {
                // A stored cursor Okta no longer accepts: restart from the watermark, never
                // from scratch, and let the boundary drop what was already delivered.
                Err(OktaError::Api {
                    status: 400,
                    code,
                    summary,
                    ..
                }) if may_restart => {
                    url = self.restart(
                        &checkpoint,
                        format!("Okta refused the stored cursor ({code}: {summary})"),
                        progress,
                    );
                    may_restart = false;
                    continue;
                }
                Err(e) => return Err(self.explain(e, resumed)),
                Ok(page) => page,
            };
            may_restart = false;
            let count = self
                .write_page(&page, &naming, Some(&checkpoint), progress)
                .await?;
            checkpoint.advance(count.delivered);
            let caught_up = count.records < PAGE;
            naming.part += 1;
            // Polling pages always carry `next`; without one, polling the same URL is right.
            // A foreign next link is refused before it can become the stored cursor.
            url = match page.next {
                Some(next) => self.scope.client.same_origin(next)?,
                None => url,
            };
            checkpoint.cursor = url.to_string();
            checkpoint.writing = (!caught_up).then(|| naming.clone());
            etag = Some(self.save(&state, &mut checkpoint, etag.as_deref()).await?);
            if caught_up {
                return Ok(());
            }
        }
    }

    async fn backfill(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        tally: &RequestCounters,
        progress: &mut Progress,
    ) -> Result<(), Stop> {
        // `Window::backfill` checked the window; only the settling time moves on since.
        let settled = Utc::now() - SETTLING;
        let until = if until > settled {
            progress.notes.push(format!(
                "until moved back from {} to {}: Okta may still add delayed events to the last {} minutes, which a bounded query would miss for good; live polling reads them",
                stamp(until),
                stamp(settled),
                SETTLING.num_minutes()
            ));
            settled
        } else {
            until
        };
        let state = StateObject::new(
            self.scope.store,
            layout::state(self.resource.name, self.scope.tenant, "checkpoint"),
        );
        if let Some((live, _)) = state.load::<Checkpoint>().await?
            && until > live.started_from
        {
            progress.notes.push(format!(
                "the window overlaps live ingestion (from {}): events in the overlap are in both",
                live.started_from.to_rfc3339_opts(SecondsFormat::Secs, true)
            ));
        }
        let mut url = self.scope.client.org().join(&format!(
            "{}?since={}&until={}&sortOrder=ASCENDING&limit={PAGE}",
            self.resource.path,
            stamp(since),
            stamp(until)
        ));
        let mut naming = PartNaming {
            run_id: self.scope.run.clone(),
            part: 0,
        };
        loop {
            if self
                .scope
                .time
                .log_stop_at
                .is_some_and(|at| Instant::now() >= at)
            {
                let resume = progress.newest.unwrap_or(since);
                progress.notes.push(format!(
                    "to finish, backfill again with since={} until={}",
                    stamp(resume),
                    stamp(until)
                ));
                return Err(Stop::Deadline);
            }
            let page = self
                .scope
                .client
                .get_page(&url, self.resource.scope, Shape::Array, tally)
                .await?;
            self.write_page(&page, &naming, None, progress).await?;
            naming.part += 1;
            match page.next {
                Some(next) => url = self.scope.client.same_origin(next)?,
                None => return Ok(()),
            }
        }
    }

    /// Writes one page as one part per event-hour; events already delivered are dropped.
    async fn write_page(
        &self,
        page: &Page,
        naming: &PartNaming,
        checkpoint: Option<&Checkpoint>,
        progress: &mut Progress,
    ) -> Result<PageCount, Stop> {
        let records = page.records();
        crate::progress::page(records.len());
        // One part per event-hour, output (the log, then each resource made from it) and format.
        let formats = self.scope.formats.list();
        let outputs: Vec<&'static Resource> = std::iter::once(self.resource)
            .chain(self.beside.iter().copied())
            .collect();
        let shapes: Vec<PartShape> = outputs.iter().map(|r| PartShape::of(r)).collect();
        let encoding = |e: String| {
            Stop::Store(StoreError::Io {
                key: format!("({} part)", self.resource.name),
                detail: e,
            })
        };
        let mut hours: BTreeMap<DateTime<Utc>, HourParts> = BTreeMap::new();
        let mut delivered = Vec::with_capacity(records.len());
        for record in &records {
            let (uuid, published) = event_key(record)?;
            if checkpoint.is_some_and(|c| c.delivered(&uuid)) {
                progress.duplicates += 1;
                continue;
            }
            let hour = published
                .duration_trunc(Duration::hours(1))
                .expect("an hour divides any timestamp");
            let (encoders, count) = match hours.entry(hour) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let encoders = shapes
                        .iter()
                        .map(|shape| {
                            formats
                                .iter()
                                .map(|&f| Encoder::new(f, shape))
                                .collect::<Result<Vec<_>, _>>()
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(encoding)?;
                    e.insert((encoders, 0))
                }
            };
            let written = scrub(self.scope.pii, record);
            for encoder in encoders[0].iter_mut() {
                encoder.write(&written, None).map_err(encoding)?;
            }
            for (resource, by_format) in self.beside.iter().zip(&mut encoders[1..]) {
                let derived = resource.derived.as_ref().expect("only derived resources");
                let line = (derived.map)(&written).map_err(|e| {
                    OktaError::Malformed(format!("event {uuid} for {}: {e}", resource.name))
                })?;
                for encoder in by_format.iter_mut() {
                    encoder.write(&line, None).map_err(encoding)?;
                }
            }
            *count += 1;
            progress.newest = Some(progress.newest.map_or(published, |n| n.max(published)));
            delivered.push((uuid, published));
        }
        for (hour, (encoders, count)) in hours {
            // Nothing was taken from the encoders: what they finish with is the whole part.
            for (i, (resource, by_format)) in outputs.iter().zip(encoders).enumerate() {
                for (encoder, format) in by_format.into_iter().zip(formats) {
                    let key = layout::event_part(
                        resource.name,
                        self.scope.tenant,
                        hour,
                        naming.run_id.as_str(),
                        naming.part,
                        format.extension(),
                    );
                    let body = encoder.finish().map_err(|e| {
                        Stop::Store(StoreError::Io {
                            key: key.clone(),
                            detail: e,
                        })
                    })?;
                    let bytes = body.len() as u64;
                    self.scope
                        .store
                        .put(&key, body.into(), PutMode::Overwrite)
                        .await?;
                    let part = PartInfo {
                        key,
                        records: count,
                        bytes,
                    };
                    match i.checked_sub(1) {
                        None => progress.parts.push(part),
                        Some(b) => progress.beside_parts[b].push(part),
                    }
                }
            }
        }
        Ok(PageCount {
            records: records.len(),
            delivered,
        })
    }

    async fn save(
        &self,
        state: &StateObject<'_>,
        checkpoint: &mut Checkpoint,
        etag: Option<&str>,
    ) -> Result<String, Stop> {
        checkpoint.updated_at = Utc::now();
        checkpoint.updated_by = self.scope.run.to_string();
        state.save(checkpoint, etag).await.map_err(|e| match e {
            StoreError::Conflict { .. } => Stop::Overtaken,
            e => Stop::Store(e),
        })
    }

    /// The polling request from `since`.
    /// Polling's URL without the stored cursor (`why` it cannot be used): from the watermark
    /// less the boundary (whose events the checkpoint remembers, so none is delivered twice),
    /// never from scratch. Noted in the manifest and logged.
    fn restart(&self, checkpoint: &Checkpoint, why: String, progress: &mut Progress) -> Url {
        let since = checkpoint
            .watermark
            .map_or(checkpoint.started_from, |w| w - BOUNDARY);
        tracing::warn!(reason = %why, "System Log cursor not usable; restarting from the watermark");
        progress.notes.push(format!(
            "{why}; restarted from {}",
            since.to_rfc3339_opts(SecondsFormat::Millis, true)
        ));
        self.polling_url(since)
    }

    fn polling_url(&self, since: DateTime<Utc>) -> Url {
        self.scope.client.org().join(&format!(
            "{}?since={}&sortOrder=ASCENDING&limit={PAGE}",
            self.resource.path,
            stamp(since)
        ))
    }

    /// Adds the way out to errors whose cause is our request rather than Okta.
    fn explain(&self, e: OktaError, resumed: bool) -> Stop {
        match e {
            OktaError::Api {
                status: 400,
                code,
                summary,
                detail,
                request_id,
            } if !resumed => Stop::Okta(OktaError::Api {
                status: 400,
                code,
                detail,
                summary: format!(
                    "{summary} — the first run starts log_lookback_days ({}) back; lower it in the tenant's secret (Okta keeps {RETENTION_DAYS} days)",
                    self.lookback_days
                ),
                request_id,
            }),
            e => Stop::Okta(e),
        }
    }
}

/// One event-hour of a page: an encoder for the log, then one per resource written beside it,
/// and how many events they hold.
/// An hour's encoders, by output and format, and its event count.
type HourParts = (Vec<Vec<Encoder>>, u64);

struct PageCount {
    /// Events on the page, duplicates included (a short page means caught up).
    records: usize,
    delivered: Vec<(String, DateTime<Utc>)>,
}

/// `since`/`until` as Okta takes them: RFC 3339 with milliseconds, URL-safe.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn event_key(record: &str) -> Result<(String, DateTime<Utc>), Stop> {
    #[derive(Deserialize)]
    struct Key<'a> {
        #[serde(borrow)]
        uuid: Cow<'a, str>,
        #[serde(borrow)]
        published: Cow<'a, str>,
    }
    let key: Key = serde_json::from_str(record).map_err(|_| {
        OktaError::Malformed("a System Log event without uuid and published".into())
    })?;
    let published = DateTime::parse_from_rfc3339(&key.published)
        .map_err(|_| {
            OktaError::Malformed(format!("published {:?} is not a timestamp", key.published))
        })?
        .with_timezone(&Utc);
    Ok((key.uuid.into_owned(), published))
}
