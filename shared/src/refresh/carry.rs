//! Taking the previous state's records into an incremental run's snapshot: each record passes
//! through unchanged (its bytes as written before) unless this run read its object again,
//! the System Log says the object is gone, or a mirrored resource has a newer copy of it.
//! The same verdict says which records a reconciliation compares.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::PathBuf;

use crate::changes::records;
use crate::resources::Resource;
use crate::sink::{ParentField, Parts};
use crate::store::{ObjectStore, StoreError};

use super::events::{By, Named};

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

    /// The same verdict on a record's key (`id`, or `{parent}/{id}` for a child).
    pub fn keeps_key(&self, key: &str) -> bool {
        let fate = match (&self.resource.parent, key.split_once('/')) {
            (Some(_), Some((parent, id))) => self.fate(Some(parent), id),
            _ => self.fate(None, key),
        };
        fate == Fate::Keep
    }
}

/// How many previous records were taken over, and how many left out.
#[derive(Debug, Default, Clone, Copy)]
pub struct Carried {
    pub kept: u64,
    pub dropped: u64,
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
            let fate = match id_of(&raw) {
                Some(id) => verdict.fate(parent.as_deref(), &id),
                // A record without an id (a singleton, a setting) is not refreshed in part.
                None => Fate::Keep,
            };
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
    let field = resource.parent.as_ref().map(|p| p.field);
    let mut hashes = HashMap::new();
    for key in records::one_format(keys) {
        let file = download(store, &key).await?;
        records::for_each_raw(&key, file.path(), field, |raw, _| {
            if let Some(id) = id_of(raw) {
                hashes.insert(id, hash(raw));
            }
            Ok(())
        })
        .map_err(|e| StoreError::Io {
            key: store.location(&key),
            detail: e.to_string(),
        })?;
    }
    Ok(hashes)
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
