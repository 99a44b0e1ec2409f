//! Taking the previous state's records into an incremental run's snapshot: each record passes
//! through unchanged (its bytes as written before) unless this run read its object again,
//! the System Log says the object is gone, or a mirrored resource has a newer copy of it.
//! Members the log says were added are written after the carried records
//! ([`super::events::MEMBERSHIPS`]). The same verdict says which records a reconciliation
//! compares.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::PathBuf;

use crate::changes::records;
use crate::resources::Resource;
use crate::sink::{ParentField, Parts};
use crate::store::{ObjectStore, StoreError};

use super::events::{By, Member, Named};

/// What becomes of one previous record.
#[derive(Debug, PartialEq, Eq)]
pub enum Fate {
    Keep,
    /// Superseded by this run's reading, or deleted.
    Drop,
    /// A newer copy from the resource it mirrors (as written: after the PII controls).
    Replace(String),
}

/// The verdict on the previous records of one resource.
pub struct Verdict {
    pub resource: &'static Resource,
    /// The System Log's removals.
    pub named: Named,
    /// A root: the ids this run read. A child: the parents whose listing this run read again
    /// (or would have, had its test passed: their old children go either way).
    pub read_again: HashSet<String>,
    /// A child of a root listed in full: every parent listed (one not among them is gone).
    pub alive: Option<HashSet<String>>,
    /// Newer copies of this resource's objects, from the resource it mirrors, by id.
    pub mirrored: HashMap<String, String>,
    /// The records of members added, by id, where `mirrored` has none.
    pub added: HashMap<String, String>,
}

impl Verdict {
    pub fn fate(&self, parent: Option<&str>, id: &str) -> Fate {
        let named = &self.named;
        let name = self.resource.name;
        let gone = match parent {
            None => self.read_again.contains(id) || named.is_removed(name, id, By::Id),
            Some(parent) => {
                self.read_again.contains(parent)
                    || named.is_removed(name, parent, By::Parent)
                    || named.is_removed(name, id, By::Member)
                    || self
                        .alive
                        .as_ref()
                        .is_some_and(|alive| !alive.contains(parent))
                    || self.member(parent, id).is_some_and(|m| !m.added)
            }
        };
        if gone {
            return Fate::Drop;
        }
        match self.mirrored.get(id) {
            Some(fresh) => Fate::Replace(fresh.clone()),
            None => Fate::Keep,
        }
    }

    /// The same verdict on a record's key (`id`, or `{parent}/{id}` for a child). A member
    /// the log added is not kept: it may be new.
    pub fn keeps_key(&self, key: &str) -> bool {
        match (&self.resource.parent, key.split_once('/')) {
            (Some(_), Some((parent, id))) => {
                self.fate(Some(parent), id) == Fate::Keep && self.member(parent, id).is_none()
            }
            _ => self.fate(None, key) == Fate::Keep,
        }
    }

    /// The member's last change in the log's membership events, if any.
    fn member(&self, parent: &str, id: &str) -> Option<&Member> {
        self.named.members_of(self.resource.name, parent)?.get(id)
    }

    /// The members the log added that are still in, as `(parent, id)`, with their records.
    fn additions(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        let members = self.named.members.get(self.resource.name).into_iter();
        members.flatten().flat_map(move |(parent, members)| {
            members
                .iter()
                .filter(|(_, m)| m.added)
                .filter_map(move |(id, _)| match self.fate(Some(parent), id) {
                    Fate::Drop => None,
                    Fate::Replace(_) => {
                        let record = self.mirrored.get(id)?;
                        Some((parent.as_str(), id.as_str(), record.as_str()))
                    }
                    Fate::Keep => {
                        let record = self.added.get(id)?;
                        Some((parent.as_str(), id.as_str(), record.as_str()))
                    }
                })
        })
    }
}

/// How many previous records were taken over, how many left out, and how many members the
/// log added.
#[derive(Debug, Default, Clone, Copy)]
pub struct Carried {
    pub kept: u64,
    pub dropped: u64,
    pub applied: u64,
}

/// Writes into `parts` every record of the previous state (`keys`: its parts) that `verdict`
/// keeps, as it was written, or its newer copy. Parts are read one at a time, each streamed
/// from a scratch file through a bounded channel.
pub async fn carry(
    store: &ObjectStore,
    keys: &[String],
    verdict: &Verdict,
    parts: &mut Parts<'_>,
) -> Result<Carried, StoreError> {
    let field = verdict.resource.parent.as_ref().map(|p| p.field);
    let mut carried = Carried::default();
    // Members the log added that the previous state already had (an event in the overlap).
    let mut present: HashSet<(String, String)> = HashSet::new();
    for key in records::one_format(keys) {
        let file = download(store, &key).await?;
        let (sender, mut received) = tokio::sync::mpsc::channel::<(String, Option<String>)>(1024);
        let (part, path) = (key.clone(), file.0.clone());
        let reader = tokio::task::spawn_blocking(move || {
            records::for_each_raw(&part, &path, field, |raw, parent| {
                sender
                    .blocking_send((raw.to_owned(), parent.map(str::to_owned)))
                    .map_err(|_| std::io::Error::other("the writer stopped"))
            })
        });
        let mut written = Ok(());
        while let Some((raw, parent)) = received.recv().await {
            let id = id_of(&raw);
            let fate = match &id {
                Some(id) => verdict.fate(parent.as_deref(), id),
                // A record without an id (a singleton, a setting) is not refreshed in part.
                None => Fate::Keep,
            };
            if let (Some(parent), Some(id)) = (&parent, id)
                && verdict.member(parent, &id).is_some_and(|m| m.added)
            {
                present.insert((parent.clone(), id));
            }
            let line = match &fate {
                Fate::Keep => &raw,
                Fate::Replace(fresh) => fresh,
                Fate::Drop => {
                    carried.dropped += 1;
                    continue;
                }
            };
            carried.kept += 1;
            written = parts.write(line, added(field, parent.as_deref())).await;
            if written.is_err() {
                break;
            }
        }
        drop(received);
        written?;
        let read = reader
            .await
            .map_err(|e| std::io::Error::other(e.to_string()));
        read.and_then(|r| r).map_err(|e| StoreError::Io {
            key: store.location(&key),
            detail: e.to_string(),
        })?;
    }
    for (parent, id, record) in verdict.additions() {
        if !present.contains(&(parent.to_owned(), id.to_owned())) {
            parts.write(record, added(field, Some(parent))).await?;
            carried.applied += 1;
        }
    }
    Ok(carried)
}

fn added<'a>(field: Option<&'a str>, parent: Option<&'a str>) -> Option<ParentField<'a>> {
    field.zip(parent).map(|(name, id)| ParentField { name, id })
}

/// Each previous record's hash by id, for a root listed in full: a record whose hash differs
/// now (or that is new) changed, and its children are read again.
pub async fn hashes(
    store: &ObjectStore,
    resource: &Resource,
    keys: &[String],
) -> Result<HashMap<String, u64>, StoreError> {
    fold(store, resource, keys, HashMap::new(), |hashes, raw| {
        if let Some(id) = id_of(raw) {
            hashes.insert(id, hash(raw));
        }
    })
    .await
}

/// The records of `resource`'s previous state (`keys`: its parts) whose ids are `wanted`.
pub async fn records_of(
    store: &ObjectStore,
    resource: &Resource,
    keys: &[String],
    wanted: HashSet<String>,
) -> Result<HashMap<String, String>, StoreError> {
    let (_, found) = fold(
        store,
        resource,
        keys,
        (wanted, HashMap::new()),
        |(wanted, found), raw| {
            if let Some(id) = id_of(raw).filter(|id| wanted.contains(id)) {
                found.insert(id, raw.to_owned());
            }
        },
    )
    .await?;
    Ok(found)
}

/// Folds every record of a previous state (`keys`: its parts) into `state`, one part at a
/// time, each downloaded to a scratch file and read on a blocking thread.
async fn fold<T: Send + 'static>(
    store: &ObjectStore,
    resource: &Resource,
    keys: &[String],
    mut state: T,
    each: fn(&mut T, &str),
) -> Result<T, StoreError> {
    let field = resource.parent.as_ref().map(|p| p.field);
    for key in records::one_format(keys) {
        let file = download(store, &key).await?;
        let location = store.location(&key);
        let read = tokio::task::spawn_blocking(move || {
            let read = records::for_each_raw(&key, file.path(), field, |raw, _| {
                each(&mut state, raw);
                Ok(())
            });
            read.map(|()| state)
        })
        .await;
        state = read
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|r| r)
            .map_err(|e| StoreError::Io {
                key: location,
                detail: e.to_string(),
            })?;
    }
    Ok(state)
}

/// A record's hash, stable within a process (records are compared within one run).
pub fn hash(raw: &str) -> u64 {
    static STATE: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    STATE.get_or_init(Default::default).hash_one(raw.trim())
}

/// A record's `id`, read without parsing the rest.
pub fn id_of(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<Id>(raw)
        .ok()?
        .id
        .map(|id| id.into_owned())
}

/// A downloaded part, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One part, downloaded to a scratch file.
async fn download(store: &ObjectStore, key: &str) -> Result<Scratch, StoreError> {
    let path = std::env::temp_dir().join(format!(
        "okta-ingest-carry-{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    if !store.download(key, &path).await? {
        return Err(StoreError::Io {
            key: store.location(key),
            detail: "listed in the current state but missing; a full run (the reconciliation, or `--refresh full`) starts the state over".into(),
        });
    }
    Ok(Scratch(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn member(added: bool) -> Member {
        Member {
            added,
            at: "2026-12-01T10:00:00Z".parse().unwrap(),
        }
    }

    /// The log's membership changes: a removed member is dropped, an added one is written once
    /// (from the mirrored copy when the user changed too), and neither counts as carried as-is.
    #[test]
    fn members_the_log_changed_are_dropped_or_added() {
        let members = BTreeMap::from([
            (
                "00g1".to_owned(),
                BTreeMap::from([
                    ("00u1".to_owned(), member(false)),
                    ("00u2".to_owned(), member(true)),
                    ("00u3".to_owned(), member(true)),
                ]),
            ),
            (
                "00g2".to_owned(),
                BTreeMap::from([("00u2".to_owned(), member(true))]),
            ),
        ]);
        let mut named = Named::default();
        named.members.insert("group_members", members);
        let verdict = Verdict {
            resource: crate::resources::find("group_members").unwrap(),
            named,
            // 00g2's members are read again: its addition comes from Okta.
            read_again: HashSet::from(["00g2".to_owned()]),
            alive: None,
            mirrored: HashMap::from([("00u3".to_owned(), r#"{"id":"00u3","v":2}"#.to_owned())]),
            added: HashMap::from([("00u2".to_owned(), r#"{"id":"00u2"}"#.to_owned())]),
        };
        assert_eq!(verdict.fate(Some("00g1"), "00u1"), Fate::Drop);
        assert_eq!(verdict.fate(Some("00g1"), "00u4"), Fate::Keep);
        assert!(verdict.keeps_key("00g1/00u4"));
        assert!(!verdict.keeps_key("00g1/00u1"), "removed");
        assert!(!verdict.keeps_key("00g1/00u2"), "added: maybe new");
        let additions: Vec<_> = verdict.additions().collect();
        assert_eq!(
            additions,
            [
                ("00g1", "00u2", r#"{"id":"00u2"}"#),
                ("00g1", "00u3", r#"{"id":"00u3","v":2}"#),
            ]
        );
    }
}
