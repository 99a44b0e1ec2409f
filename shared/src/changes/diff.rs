//! Comparing two snapshots of a resource, in bounded memory.
//!
//! Each snapshot's records are keyed, stripped of noise and sorted by key with an external
//! sort: runs of at most [`RUN_BYTES`] are sorted in memory and spilled to gzip files in a
//! scratch folder, then merged. The two sorted streams are walked side by side, so the diff
//! holds one run's buffer and one record per run file, whatever the size of the org.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Records held in memory before a sorted run is spilled (their JSON text, roughly).
pub const RUN_BYTES: usize = 32 * 1024 * 1024;

/// What happened to an object between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Modified,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Modified => "modified",
        }
    }
}

/// One field that changed: its JSON pointer, and its values before and after (absent: null).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub old: Value,
    pub new: Value,
}

/// One object that differs between the snapshots (noise left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub key: String,
    pub change: Change,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// For a modification, the fields that changed; arrays are compared whole.
    pub fields: Vec<FieldChange>,
}

impl Difference {
    /// The difference between two versions of the object at `key`, if there is one.
    pub fn between(key: String, before: Option<Value>, after: Option<Value>) -> Option<Self> {
        let (change, fields) = match (&before, &after) {
            (None, None) => return None,
            (None, Some(_)) => (Change::Added, Vec::new()),
            (Some(_), None) => (Change::Removed, Vec::new()),
            (Some(b), Some(a)) => {
                let mut fields = Vec::new();
                compare("", b, a, &mut fields);
                if fields.is_empty() {
                    return None;
                }
                (Change::Modified, fields)
            }
        };
        Some(Self {
            key,
            change,
            before,
            after,
            fields,
        })
    }

    /// Whether the field at `pointer` (or anything under it) changed.
    pub fn changed(&self, pointer: &str) -> bool {
        self.fields.iter().any(|f| {
            f.path == pointer
                || f.path.starts_with(&format!("{pointer}/"))
                || pointer.starts_with(&format!("{}/", f.path))
        })
    }

    pub fn before_at(&self, pointer: &str) -> Option<&Value> {
        self.before.as_ref()?.pointer(pointer)
    }

    pub fn after_at(&self, pointer: &str) -> Option<&Value> {
        self.after.as_ref()?.pointer(pointer)
    }

    /// The parent's id, for a child resource's key (`{parent}/{id}`).
    pub fn parent_id(&self) -> Option<&str> {
        self.key.split_once('/').map(|(parent, _)| parent)
    }

    /// The object's own id: the last segment of the key.
    pub fn own_id(&self) -> &str {
        self.key.rsplit_once('/').map_or(&self.key, |(_, id)| id)
    }
}

/// Object members are compared one by one; anything else (arrays included) whole.
fn compare(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (name, old) in b {
                let here = format!("{path}/{}", escape(name));
                match a.get(name) {
                    Some(new) => compare(&here, old, new, out),
                    None => out.push(FieldChange {
                        path: here,
                        old: old.clone(),
                        new: Value::Null,
                    }),
                }
            }
            for (name, new) in a.iter().filter(|(name, _)| !b.contains_key(*name)) {
                out.push(FieldChange {
                    path: format!("{path}/{}", escape(name)),
                    old: Value::Null,
                    new: new.clone(),
                });
            }
        }
        (b, a) if b != a => out.push(FieldChange {
            path: path.to_owned(),
            old: b.clone(),
            new: a.clone(),
        }),
        _ => {}
    }
}

/// A JSON pointer segment (RFC 6901).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// One snapshot's records being sorted: in-memory runs spilled to files in `scratch`.
pub struct Sorter {
    scratch: PathBuf,
    name: String,
    buffer: Vec<(String, String)>,
    buffered: usize,
    runs: Vec<PathBuf>,
}

impl Sorter {
    /// `name` tells this snapshot's run files apart in `scratch`.
    pub fn new(scratch: &Path, name: &str) -> Self {
        Self {
            scratch: scratch.to_owned(),
            name: name.to_owned(),
            buffer: Vec::new(),
            buffered: 0,
            runs: Vec::new(),
        }
    }

    /// Adds a record (compact JSON, without newlines) under `key`.
    pub fn push(&mut self, key: String, record: String) -> std::io::Result<()> {
        self.buffered += key.len() + record.len() + 48;
        self.buffer.push((key, record));
        if self.buffered >= RUN_BYTES {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.buffer.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let path = self
            .scratch
            .join(format!("{}-{:05}.gz", self.name, self.runs.len()));
        let mut out = GzEncoder::new(BufWriter::new(File::create(&path)?), Compression::fast());
        for (key, record) in self.buffer.drain(..) {
            // Keys hold no tabs or newlines (ids and setting names); records are one line.
            writeln!(out, "{key}\t{record}")?;
        }
        out.finish()?.flush()?;
        self.buffered = 0;
        self.runs.push(path);
        Ok(())
    }

    /// The records, sorted by key.
    pub fn finish(mut self) -> std::io::Result<Sorted> {
        self.spill()?;
        let mut readers = Vec::new();
        let mut heap = BinaryHeap::new();
        for (i, path) in self.runs.iter().enumerate() {
            let mut reader = BufReader::new(MultiGzDecoder::new(File::open(path)?));
            if let Some(entry) = read_entry(&mut reader)? {
                heap.push(Head { entry, run: i });
            }
            readers.push(reader);
        }
        Ok(Sorted { readers, heap })
    }
}

type RunReader = BufReader<MultiGzDecoder<File>>;

fn read_entry(reader: &mut RunReader) -> std::io::Result<Option<(String, String)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let line = line.trim_end_matches('\n');
    let (key, record) = line.split_once('\t').ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a sorted run line without a key",
        )
    })?;
    Ok(Some((key.to_owned(), record.to_owned())))
}

/// The next entry of one run, ordered for a min-heap by key (then run, for stability).
struct Head {
    entry: (String, String),
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .entry
            .0
            .cmp(&self.entry.0)
            .then(other.run.cmp(&self.run))
    }
}

/// A snapshot's records in key order, merged from its sorted runs.
pub struct Sorted {
    readers: Vec<RunReader>,
    heap: BinaryHeap<Head>,
}

impl Sorted {
    /// The next (key, record). Records sharing a key are merged into one: an object listed
    /// once per kind of expansion (a role with its group targets, then with its app targets)
    /// is the union of its listings, whatever order they came in.
    pub fn next_entry(&mut self) -> std::io::Result<Option<(String, String)>> {
        let Some(mut current) = self.pop()? else {
            return Ok(None);
        };
        while self.heap.peek().is_some_and(|h| h.entry.0 == current.0) {
            let next = self.pop()?.expect("peeked");
            current.1 = merged(&current.1, &next.1)?;
        }
        Ok(Some(current))
    }

    fn pop(&mut self) -> std::io::Result<Option<(String, String)>> {
        let Some(Head { entry, run }) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(next) = read_entry(&mut self.readers[run])? {
            self.heap.push(Head { entry: next, run });
        }
        Ok(Some(entry))
    }
}

/// Two listings of one object as one: objects' members united (recursively), anything else
/// taken from the later listing.
fn merged(a: &str, b: &str) -> std::io::Result<String> {
    fn merge(into: &mut Value, from: Value) {
        match (into, from) {
            (Value::Object(into), Value::Object(from)) => {
                for (name, value) in from {
                    match into.get_mut(&name) {
                        Some(existing) => merge(existing, value),
                        None => {
                            into.insert(name, value);
                        }
                    }
                }
            }
            (into, from) => *into = from,
        }
    }
    let parse = |text: &str| -> std::io::Result<Value> {
        serde_json::from_str(text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    };
    let mut first = parse(a)?;
    merge(&mut first, parse(b)?);
    Ok(first.to_string())
}

/// Walks two sorted snapshots side by side and hands each difference to `found`.
pub fn diff(
    mut before: Sorted,
    mut after: Sorted,
    mut found: impl FnMut(Difference) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let parse = |text: &str| -> std::io::Result<Value> {
        serde_json::from_str(text)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    };
    let mut old = before.next_entry()?;
    let mut new = after.next_entry()?;
    loop {
        let (key, b, a) = match (&old, &new) {
            (None, None) => return Ok(()),
            (Some((k, _)), None) => (k.clone(), old.take(), None),
            (None, Some((k, _))) => (k.clone(), None, new.take()),
            (Some((ko, _)), Some((kn, _))) => match ko.cmp(kn) {
                Ordering::Less => (ko.clone(), old.take(), None),
                Ordering::Greater => (kn.clone(), None, new.take()),
                Ordering::Equal => (ko.clone(), old.take(), new.take()),
            },
        };
        let advance_old = b.is_some();
        let advance_new = a.is_some();
        // Equal text is equal content: most objects did not change, and are not parsed.
        let same = matches!((&b, &a), (Some((_, x)), Some((_, y))) if x == y);
        if !same {
            let before = b.map(|(_, text)| parse(&text)).transpose()?;
            let after = a.map(|(_, text)| parse(&text)).transpose()?;
            if let Some(difference) = Difference::between(key, before, after) {
                found(difference)?;
            }
        }
        if advance_old {
            old = before.next_entry()?;
        }
        if advance_new {
            new = after.next_entry()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("okta-ingest-diff-{:08x}", fastrand::u32(..)));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn sorted(dir: &Path, name: &str, records: &[(&str, Value)], spill_every: usize) -> Sorted {
        let mut sorter = Sorter::new(dir, name);
        for (i, (key, record)) in records.iter().enumerate() {
            sorter.push(key.to_string(), record.to_string()).unwrap();
            if (i + 1) % spill_every == 0 {
                sorter.spill().unwrap();
            }
        }
        sorter.finish().unwrap()
    }

    #[test]
    fn differences_come_out_by_key_across_many_runs() {
        let dir = scratch();
        let before = [
            ("c", json!({"id": "c", "n": 1})),
            ("a", json!({"id": "a", "n": 1})),
            ("b", json!({"id": "b", "n": 1, "tags": [1]})),
            ("d", json!({"id": "d"})),
        ];
        let after = [
            ("e", json!({"id": "e"})),
            ("b", json!({"id": "b", "n": 2, "tags": [1, 2]})),
            ("a", json!({"id": "a", "n": 1})),
            ("c", json!({"n": 1, "id": "c"})),
            // Listed twice (once per expansion): the listings are united.
            ("e", json!({"id": "e", "late": true})),
        ];
        let mut seen = Vec::new();
        diff(
            sorted(&dir, "old", &before, 1),
            sorted(&dir, "new", &after, 2),
            |d| {
                seen.push(d);
                Ok(())
            },
        )
        .unwrap();
        let summary: Vec<(&str, Change)> =
            seen.iter().map(|d| (d.key.as_str(), d.change)).collect();
        assert_eq!(
            summary,
            [
                ("b", Change::Modified),
                ("d", Change::Removed),
                ("e", Change::Added)
            ]
        );
        assert_eq!(
            seen[0].fields,
            [
                FieldChange {
                    path: "/n".into(),
                    old: json!(1),
                    new: json!(2)
                },
                FieldChange {
                    path: "/tags".into(),
                    old: json!([1]),
                    new: json!([1, 2])
                },
            ]
        );
        assert_eq!(seen[2].after, Some(json!({"id": "e", "late": true})));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn an_object_listed_once_per_expansion_is_their_union_in_any_order() {
        let dir = scratch();
        let groups = json!({"id": "r", "_embedded": {"targets": {"groups": [{"id": "g"}]}}});
        let apps =
            json!({"id": "r", "_embedded": {"targets": {"catalog": {"apps": [{"name": "a"}]}}}});
        let mut one = sorted(
            &dir,
            "one",
            &[("r", groups.clone()), ("r", apps.clone())],
            1,
        );
        let mut two = sorted(&dir, "two", &[("r", apps), ("r", groups)], 1);
        assert_eq!(one.next_entry().unwrap(), two.next_entry().unwrap());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn field_paths_are_json_pointers() {
        let d = Difference::between(
            "00u1/f".into(),
            Some(json!({"profile": {"a/b": 1, "gone": true}, "status": "ACTIVE"})),
            Some(json!({"profile": {"a/b": 2, "new": "x"}, "status": "ACTIVE"})),
        )
        .unwrap();
        let paths: Vec<&str> = d.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/profile/a~1b", "/profile/gone", "/profile/new"]);
        assert!(d.changed("/profile") && !d.changed("/status"));
        assert_eq!((d.parent_id(), d.own_id()), (Some("00u1"), "f"));
        assert!(Difference::between("k".into(), Some(json!(1)), Some(json!(1))).is_none());
    }
}
