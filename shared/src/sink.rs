//! Parts, written as records arrive, in the output formats asked for: gzip NDJSON (one Okta
//! object per line, exactly as sent) and Parquet (typed columns plus the record as `raw`).
//!
//! A [`PartSeries`] is one run of numbered parts of one format (`part-00000.parquet`, …), and
//! [`Parts`] the series of every format a run writes. Compressed bytes leave memory in chunks:
//! a part that outgrows one chunk becomes a streamed (multipart) upload, and a part that reaches
//! [`PART_MAX_BYTES`] is closed and the next one begun. So memory stays at about one chunk (for
//! Parquet, one row group), whatever the size of the org.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::columns::Table;
use crate::parquet_part::ParquetPart;
use crate::store::{ObjectStore, PutMode, StoreError};

/// Compressed bytes buffered before they are shipped (S3's multipart minimum is 5 MiB).
pub const CHUNK_BYTES: usize = 8 * 1024 * 1024;
/// A part is closed once this many compressed bytes went into it (query engines like 64–256 MB).
pub const PART_MAX_BYTES: u64 = 128 * 1024 * 1024;
/// gzip level: on Okta JSON, level 6 takes over twice the CPU of level 1 for 21 % smaller
/// output (measured; see the README's benchmark section), and CPU is what a Lambda bills.
const GZIP_LEVEL: u32 = 1;

/// One finished part, as listed in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    pub key: String,
    pub records: u64,
    pub bytes: u64,
}

/// A field added to child records: the parent's id under `name`.
#[derive(Debug, Clone, Copy)]
pub struct ParentField<'a> {
    pub name: &'a str,
    pub id: &'a str,
}

/// A part's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Ndjson,
}

impl Format {
    /// The part file's extension, which also tells a manifest's parts apart.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Ndjson => "json.gz",
        }
    }
}

/// Which formats a run writes: `parquet` (the default), `ndjson`, or `both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Formats {
    #[default]
    Parquet,
    Ndjson,
    Both,
}

impl Formats {
    pub fn list(self) -> &'static [Format] {
        match self {
            Formats::Parquet => &[Format::Parquet],
            Formats::Ndjson => &[Format::Ndjson],
            Formats::Both => &[Format::Parquet, Format::Ndjson],
        }
    }
}

impl FromStr for Formats {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "parquet" => Ok(Formats::Parquet),
            "ndjson" => Ok(Formats::Ndjson),
            "both" => Ok(Formats::Both),
            other => Err(format!(
                "{other:?} is not an output format (parquet, ndjson or both)"
            )),
        }
    }
}

impl fmt::Display for Formats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Formats::Parquet => "parquet",
            Formats::Ndjson => "ndjson",
            Formats::Both => "both",
        })
    }
}

/// What a part is written with: a resource's columns (for Parquet) and its added field.
#[derive(Debug, Clone)]
pub struct PartShape {
    pub table: &'static Table,
    /// The Parquet column holding the added field (the parent's id or the label).
    pub added_column: Option<String>,
}

impl PartShape {
    /// A resource's shape, from its declared table ([`crate::columns::TABLES`], which a test
    /// holds to one table per resource).
    pub fn of(resource: &crate::resources::Resource) -> Self {
        Self {
            table: crate::columns::table(resource.name)
                .expect("every resource declares its columns in columns::TABLES"),
            added_column: crate::columns::added_column(resource),
        }
    }
}

/// One part's encoder, in either format.
pub enum Encoder {
    Ndjson(GzEncoder<Vec<u8>>),
    Parquet(Box<ParquetPart>),
}

impl Encoder {
    pub fn new(format: Format, shape: &PartShape) -> Result<Self, String> {
        Ok(match format {
            Format::Ndjson => Encoder::Ndjson(GzEncoder::new(
                Vec::with_capacity(CHUNK_BYTES / 4),
                Compression::new(GZIP_LEVEL),
            )),
            Format::Parquet => Encoder::Parquet(Box::new(
                ParquetPart::new(shape.table, shape.added_column.as_deref())
                    .map_err(|e| e.to_string())?,
            )),
        })
    }

    /// Adds one record: in NDJSON a line with the added field first, in Parquet `raw` as given
    /// and the added field in its own column.
    pub fn write(&mut self, raw: &str, added: Option<ParentField<'_>>) -> Result<(), String> {
        match self {
            Encoder::Ndjson(gz) => write_line(gz, raw, added).map_err(|e| e.to_string()),
            Encoder::Parquet(part) => part
                .write(raw, added.map(|a| a.id))
                .map_err(|e| e.to_string()),
        }
    }

    /// The compressed bytes ready to ship.
    pub fn output(&mut self) -> &mut Vec<u8> {
        match self {
            Encoder::Ndjson(gz) => gz.get_mut(),
            Encoder::Parquet(part) => part.output(),
        }
    }

    /// Takes the bytes ready to ship, leaving room for the next ones.
    pub fn take_output(&mut self) -> Vec<u8> {
        match self {
            Encoder::Ndjson(gz) => std::mem::take(gz.get_mut()),
            Encoder::Parquet(part) => part.take_output(),
        }
    }

    /// The rest of the file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        match self {
            Encoder::Ndjson(gz) => gz.finish().map_err(|e| e.to_string()),
            Encoder::Parquet(part) => part.finish().map_err(|e| e.to_string()),
        }
    }
}

struct OpenPart {
    key: String,
    encoder: Encoder,
    upload: Option<crate::store::Upload>,
    records: u64,
    shipped: u64,
}

/// Names part `n` of a series, given the format's extension.
type KeyOf<'s> = dyn Fn(u32, &str) -> String + Send + Sync + 's;

/// A numbered series of parts of one format; `key_of(n, extension)` names part `n`.
pub struct PartSeries<'s> {
    store: &'s ObjectStore,
    format: Format,
    shape: PartShape,
    key_of: Box<KeyOf<'s>>,
    next_part: u32,
    open: Option<OpenPart>,
    finished: Vec<PartInfo>,
}

impl<'s> PartSeries<'s> {
    /// A series that carries on after `earlier` parts (written by an earlier invocation of
    /// the same run, in any format; none for a fresh run): numbering continues after those of
    /// its format, and they are listed first when the series finishes.
    pub fn after(
        store: &'s ObjectStore,
        format: Format,
        shape: PartShape,
        key_of: impl Fn(u32, &str) -> String + Send + Sync + 's,
        earlier: &[PartInfo],
    ) -> Self {
        let suffix = format!(".{}", format.extension());
        let earlier: Vec<PartInfo> = earlier
            .iter()
            .filter(|p| p.key.ends_with(&suffix))
            .cloned()
            .collect();
        Self {
            store,
            format,
            shape,
            key_of: Box::new(key_of),
            next_part: earlier.len() as u32,
            open: None,
            finished: earlier,
        }
    }

    /// Appends one record (a JSON object as Okta sent it) as a line, optionally with its
    /// parent's id added as the first field.
    pub async fn write(
        &mut self,
        raw: &str,
        parent: Option<ParentField<'_>>,
    ) -> Result<(), StoreError> {
        if self.open.is_none() {
            let key = (self.key_of)(self.next_part, self.format.extension());
            let encoder = Encoder::new(self.format, &self.shape).map_err(|e| StoreError::Io {
                key: key.clone(),
                detail: format!("starting the part: {e}"),
            })?;
            self.next_part += 1;
            self.open = Some(OpenPart {
                key,
                encoder,
                upload: None,
                records: 0,
                shipped: 0,
            });
        }
        let part = self.open.as_mut().expect("opened above");
        part.encoder
            .write(raw, parent)
            .map_err(|e| StoreError::Io {
                key: part.key.clone(),
                detail: format!("encoding: {e}"),
            })?;
        part.records += 1;
        if part.encoder.output().len() >= CHUNK_BYTES {
            self.ship_chunk().await?;
        }
        Ok(())
    }

    /// Records written so far, in finished and open parts.
    pub fn records(&self) -> u64 {
        self.finished.iter().map(|p| p.records).sum::<u64>()
            + self.open.as_ref().map_or(0, |p| p.records)
    }

    /// Sends the compressed bytes gathered so far as one chunk of a streamed upload.
    async fn ship_chunk(&mut self) -> Result<(), StoreError> {
        let part = self.open.as_mut().expect("a part is open");
        let chunk = part.encoder.take_output();
        if part.upload.is_none() {
            part.upload = Some(self.store.start_upload(&part.key).await?);
        }
        part.shipped += chunk.len() as u64;
        let upload = part.upload.as_mut().expect("started above");
        upload.put_chunk(Bytes::from(chunk)).await?;
        if part.shipped >= PART_MAX_BYTES {
            self.close_part().await?;
        }
        Ok(())
    }

    /// Finishes the open part (if any) and makes it visible.
    async fn close_part(&mut self) -> Result<(), StoreError> {
        let Some(part) = self.open.take() else {
            return Ok(());
        };
        let tail = part.encoder.finish().map_err(|e| StoreError::Io {
            key: part.key.clone(),
            detail: format!("encoding: {e}"),
        })?;
        let bytes = part.shipped + tail.len() as u64;
        match part.upload {
            None => {
                self.store
                    .put(&part.key, Bytes::from(tail), PutMode::Overwrite)
                    .await?;
            }
            Some(mut upload) => {
                let done = async {
                    upload.put_chunk(Bytes::from(tail)).await?;
                    Ok::<_, StoreError>(upload)
                }
                .await;
                match done {
                    Ok(upload) => upload.complete().await?,
                    Err(e) => return Err(e),
                }
            }
        }
        self.finished.push(PartInfo {
            key: part.key,
            records: part.records,
            bytes,
        });
        Ok(())
    }

    /// Closes the last part and returns every part written, in order.
    pub async fn finish(mut self) -> Result<Vec<PartInfo>, StoreError> {
        self.close_part().await?;
        Ok(self.finished)
    }

    /// Gives up: an unfinished streamed upload is aborted; finished parts stay listed.
    pub async fn abandon(mut self) -> Vec<PartInfo> {
        if let Some(OpenPart {
            upload: Some(upload),
            ..
        }) = self.open.take()
        {
            upload.abort().await;
        }
        self.finished
    }
}

/// Records written, counted once whatever the number of formats: each format's parts hold the
/// same records, so this is the most any one format holds (they differ only when a store
/// failure cut one series short).
pub fn records_written(parts: &[PartInfo]) -> u64 {
    [Format::Parquet, Format::Ndjson]
        .iter()
        .map(|f| {
            let suffix = format!(".{}", f.extension());
            parts
                .iter()
                .filter(|p| p.key.ends_with(&suffix))
                .map(|p| p.records)
                .sum::<u64>()
        })
        .max()
        .unwrap_or(0)
}

/// The series of every format a run writes for one resource, fed the same records.
pub struct Parts<'s> {
    series: Vec<PartSeries<'s>>,
    /// Earlier parts of a format no longer written (the setting changed between two
    /// invocations of one run): still the run's, so still listed.
    other: Vec<PartInfo>,
}

impl<'s> Parts<'s> {
    /// One series per format, each carrying on after the `earlier` parts of its format.
    pub fn after(
        store: &'s ObjectStore,
        formats: Formats,
        shape: PartShape,
        key_of: impl Fn(u32, &str) -> String + Clone + Send + Sync + 's,
        earlier: &[PartInfo],
    ) -> Self {
        let written = |p: &PartInfo| {
            formats
                .list()
                .iter()
                .any(|f| p.key.ends_with(&format!(".{}", f.extension())))
        };
        Self {
            series: formats
                .list()
                .iter()
                .map(|&f| PartSeries::after(store, f, shape.clone(), key_of.clone(), earlier))
                .collect(),
            other: earlier.iter().filter(|p| !written(p)).cloned().collect(),
        }
    }

    pub async fn write(
        &mut self,
        raw: &str,
        parent: Option<ParentField<'_>>,
    ) -> Result<(), StoreError> {
        for series in &mut self.series {
            series.write(raw, parent).await?;
        }
        Ok(())
    }

    /// Closes the last parts and returns every part written, by format, in order.
    pub async fn finish(self) -> Result<Vec<PartInfo>, StoreError> {
        let mut all = self.other;
        for series in self.series {
            all.extend(series.finish().await?);
        }
        Ok(all)
    }

    /// Gives up: unfinished streamed uploads are aborted; finished parts stay listed.
    pub async fn abandon(self) -> Vec<PartInfo> {
        let mut all = self.other;
        for series in self.series {
            all.extend(series.abandon().await);
        }
        all
    }
}

/// Writes one record as a line, optionally with its parent's id added as the first field.
fn write_line(
    out: &mut impl Write,
    raw: &str,
    parent: Option<ParentField<'_>>,
) -> std::io::Result<()> {
    let raw = raw.trim();
    match parent {
        // `{` + `"name":"id"` + (`,` + the rest | `}`): one field in front, the rest untouched.
        Some(ParentField { name, id }) if raw.starts_with('{') => {
            let body = raw[1..].trim_start();
            out.write_all(b"{")?;
            serde_json::to_writer(&mut *out, name)?;
            out.write_all(b":")?;
            serde_json::to_writer(&mut *out, id)?;
            if !body.starts_with('}') {
                out.write_all(b",")?;
            }
            out.write_all(body.as_bytes())?;
        }
        _ => out.write_all(raw.as_bytes())?,
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(raw: &str, parent: Option<ParentField<'_>>) -> String {
        let mut out = Vec::new();
        write_line(&mut out, raw, parent).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn records_are_counted_once_whatever_the_formats() {
        let part = |key: &str, records| PartInfo {
            key: key.into(),
            records,
            bytes: 1,
        };
        let both = [
            part("u/part-00000.parquet", 5),
            part("u/part-00000.json.gz", 5),
            part("u/part-00001.parquet", 2),
            part("u/part-00001.json.gz", 2),
        ];
        assert_eq!(records_written(&both), 7);
        assert_eq!(records_written(&both[..3]), 7);
        assert_eq!(records_written(&[part("u/part-00000.json.gz", 3)]), 3);
        assert_eq!(records_written(&[]), 0);
    }

    #[tokio::test]
    async fn a_continuation_numbers_each_format_on_and_keeps_every_earlier_part() {
        let dir = std::env::temp_dir().join(format!("okta-ingest-parts-{}", fastrand::u64(..)));
        let store =
            ObjectStore::Local(crate::store::LocalStore::new(dir.to_str().unwrap()).unwrap());
        let earlier = [
            PartInfo {
                key: "u/part-00000.parquet".into(),
                records: 1,
                bytes: 1,
            },
            PartInfo {
                key: "u/part-00000.json.gz".into(),
                records: 1,
                bytes: 1,
            },
        ];
        let resource = crate::resources::find("users").unwrap();
        // The setting changed to Parquet alone between two invocations of the run.
        let mut parts = Parts::after(
            &store,
            Formats::Parquet,
            PartShape::of(resource),
            |n, ext| format!("u/part-{n:05}.{ext}"),
            &earlier,
        );
        parts.write(r#"{"id":"00u2"}"#, None).await.unwrap();
        let keys: Vec<String> = parts
            .finish()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(
            keys,
            [
                "u/part-00000.json.gz",
                "u/part-00000.parquet",
                "u/part-00001.parquet"
            ]
        );
        assert!(dir.join("u/part-00001.parquet").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn formats_parse_and_print() {
        for f in [Formats::Parquet, Formats::Ndjson, Formats::Both] {
            assert_eq!(f.to_string().parse::<Formats>(), Ok(f));
        }
        assert!("csv".parse::<Formats>().is_err());
        assert_eq!(Formats::default(), Formats::Parquet);
        assert_eq!(Formats::Both.list(), [Format::Parquet, Format::Ndjson]);
    }

    #[test]
    fn records_pass_through_and_parents_are_prepended() {
        assert_eq!(
            line(r#"{"id":"f1","x":1.50}"#, None),
            "{\"id\":\"f1\",\"x\":1.50}\n"
        );
        let p = Some(ParentField {
            name: "userId",
            id: "00u1",
        });
        assert_eq!(
            line(r#"{"id":"f1","x":1.50}"#, p),
            "{\"userId\":\"00u1\",\"id\":\"f1\",\"x\":1.50}\n"
        );
        assert_eq!(line("{ }", p), "{\"userId\":\"00u1\"}\n");
        let parsed: serde_json::Value = serde_json::from_str(&line("{\n \"a\": [1] }", p)).unwrap();
        assert_eq!(parsed["a"][0], 1);
    }
}
