//! Gzip NDJSON parts, written as records arrive: one Okta object per line, exactly as sent.
//!
//! A [`PartSeries`] is one run of numbered parts (`part-00000.json.gz`, …). Compressed bytes
//! leave memory in chunks: a part that outgrows one chunk becomes a streamed (multipart) upload,
//! and a part that reaches [`PART_MAX_BYTES`] is closed and the next one begun. So memory stays
//! at about one chunk, whatever the size of the org.

use std::io::Write;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

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

struct OpenPart {
    key: String,
    encoder: GzEncoder<Vec<u8>>,
    upload: Option<crate::store::Upload>,
    records: u64,
    shipped: u64,
}

/// A numbered series of parts; `key_of(n)` names part `n`.
pub struct PartSeries<'s> {
    store: &'s ObjectStore,
    key_of: Box<dyn Fn(u32) -> String + Send + Sync + 's>,
    next_part: u32,
    open: Option<OpenPart>,
    finished: Vec<PartInfo>,
}

impl<'s> PartSeries<'s> {
    /// A series that carries on after `earlier` parts (written by an earlier invocation of
    /// the same run; none for a fresh run): numbering continues, and they are listed first
    /// when the series finishes.
    pub fn after(
        store: &'s ObjectStore,
        key_of: impl Fn(u32) -> String + Send + Sync + 's,
        earlier: Vec<PartInfo>,
    ) -> Self {
        Self {
            store,
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
        let part = self.open.get_or_insert_with(|| {
            let key = (self.key_of)(self.next_part);
            self.next_part += 1;
            OpenPart {
                key,
                encoder: GzEncoder::new(
                    Vec::with_capacity(CHUNK_BYTES / 4),
                    Compression::new(GZIP_LEVEL),
                ),
                upload: None,
                records: 0,
                shipped: 0,
            }
        });
        write_line(&mut part.encoder, raw, parent).map_err(|e| StoreError::Io {
            key: part.key.clone(),
            detail: format!("compressing: {e}"),
        })?;
        part.records += 1;
        if part.encoder.get_ref().len() >= CHUNK_BYTES {
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
        let chunk = std::mem::take(part.encoder.get_mut());
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
            detail: format!("compressing: {e}"),
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

/// A gzip encoder at the level every part uses.
pub(crate) fn encoder() -> GzEncoder<Vec<u8>> {
    GzEncoder::new(Vec::new(), Compression::new(GZIP_LEVEL))
}

/// Writes one record as a line, optionally with its parent's id added as the first field.
pub(crate) fn write_line(
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
