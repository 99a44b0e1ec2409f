//! Reading records back from written parts of either format: gzip NDJSON lines, or the `raw`
//! column of Parquet parts with the added field (the parent's id) put back as the line has it.
//! The change feed reads snapshots, the System Log and its own records this way.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use flate2::read::MultiGzDecoder;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::columns::{self, RAW};
use crate::sink::Format;

/// The part keys of one format: a run that wrote both formats holds the same records twice.
/// NDJSON is preferred (a line is the record), Parquet taken when there is no NDJSON.
pub fn one_format(keys: &[String]) -> Vec<String> {
    let of = |format: Format| -> Vec<String> {
        let suffix = format!(".{}", format.extension());
        keys.iter()
            .filter(|k| k.ends_with(&suffix))
            .cloned()
            .collect()
    };
    let ndjson = of(Format::Ndjson);
    if ndjson.is_empty() {
        of(Format::Parquet)
    } else {
        ndjson
    }
}

/// Calls `each` with every record of the part `key`, downloaded to `path`. `added` is the field
/// a child's line gains (`userId`): from Parquet, its column is put back under that name.
pub fn for_each(
    key: &str,
    path: &Path,
    added: Option<&str>,
    mut each: impl FnMut(Value) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let invalid = |e: &dyn std::fmt::Display| invalid_data(key, e);
    if is_parquet(key) {
        return parquet_rows(key, path, added, |raw, parent| {
            each(record_of(key, raw, added, parent)?)
        });
    }
    let reader = BufReader::new(MultiGzDecoder::new(File::open(path)?));
    for line in reader.lines() {
        let line = line?;
        if !line.trim().is_empty() {
            each(serde_json::from_str(&line).map_err(|e| invalid(&e))?)?;
        }
    }
    Ok(())
}

/// A record of the part `key` as [`for_each`] gives it: `raw` (as [`for_each_raw`] gives it)
/// parsed, with the added field put back.
pub fn record_of(
    key: &str,
    raw: &str,
    added: Option<&str>,
    parent: Option<&str>,
) -> std::io::Result<Value> {
    let mut record: Value = serde_json::from_str(raw).map_err(|e| invalid_data(key, &e))?;
    if let (Some(field), Some(parent)) = (added, parent)
        && let Some(object) = record.as_object_mut()
    {
        object.insert(field.to_owned(), Value::from(parent));
    }
    Ok(record)
}

/// Calls `each` with every record of the part `key` (downloaded to `path`) as it was
/// written, without the added field, and the added field's value: a child's parent id.
/// Nothing is parsed but the added field, so the bytes pass through unchanged.
pub fn for_each_raw(
    key: &str,
    path: &Path,
    added: Option<&str>,
    mut each: impl FnMut(&str, Option<&str>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let invalid = |e: &dyn std::fmt::Display| invalid_data(key, e);
    if is_parquet(key) {
        return parquet_rows(key, path, added, each);
    }
    let reader = BufReader::new(MultiGzDecoder::new(File::open(path)?));
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match added {
            Some(name) => {
                let (id, raw) = split_added(&line, name).ok_or_else(|| {
                    invalid(&format!("a line that does not start with its {name:?}"))
                })?;
                each(&raw, Some(&id))?;
            }
            None => each(&line, None)?,
        }
    }
    Ok(())
}

fn invalid_data(key: &str, e: &dyn std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{key}: {e}"))
}

fn is_parquet(key: &str) -> bool {
    key.ends_with(&format!(".{}", Format::Parquet.extension()))
}

/// Every row of a Parquet part: its `raw` column and, for `added`, that field's column.
fn parquet_rows(
    key: &str,
    path: &Path,
    added: Option<&str>,
    mut each: impl FnMut(&str, Option<&str>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let invalid = |e: &dyn std::fmt::Display| invalid_data(key, e);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(File::open(path)?).map_err(|e| invalid(&e))?;
    let column = added.map(columns::snake_case);
    let wanted: Vec<usize> = builder
        .parquet_schema()
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name() == RAW || Some(c.name()) == column.as_deref())
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::leaves(builder.parquet_schema(), wanted);
    for batch in builder
        .with_projection(mask)
        .build()
        .map_err(|e| invalid(&e))?
    {
        let batch = batch.map_err(|e| invalid(&e))?;
        let raw = batch
            .column_by_name(RAW)
            .ok_or_else(|| invalid(&"no raw column"))?
            .as_string::<i32>();
        let parent = column
            .as_deref()
            .and_then(|c| batch.column_by_name(c))
            .map(|c| c.as_string::<i32>());
        for row in 0..batch.num_rows() {
            let id = parent.filter(|p| !p.is_null(row)).map(|p| p.value(row));
            each(raw.value(row), id)?;
        }
    }
    Ok(())
}

/// A line written with an added first field (`{"userId":"00u1",…}`) split into the field's
/// value and the record as Okta sent it (`{…}`), the inverse of the sink's line writing.
fn split_added(line: &str, name: &str) -> Option<(String, String)> {
    let rest = line
        .trim()
        .strip_prefix('{')?
        .strip_prefix(&serde_json::to_string(name).ok()?)?
        .strip_prefix(':')?;
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    let id = values.next()?.ok()?;
    let after = &rest[values.byte_offset()..];
    let raw = match after.strip_prefix(',') {
        Some(body) => format!("{{{body}"),
        None if after.starts_with('}') => "{}".to_owned(),
        None => return None,
    };
    Some((id, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_added_field_comes_off_as_it_went_on() {
        assert_eq!(
            split_added(r#"{"userId":"00u\"1","id":"f1","x":1.50}"#, "userId"),
            Some(("00u\"1".to_owned(), r#"{"id":"f1","x":1.50}"#.to_owned()))
        );
        assert_eq!(
            split_added(r#"{"userId":"00u1"}"#, "userId"),
            Some(("00u1".to_owned(), "{}".to_owned()))
        );
        assert_eq!(split_added(r#"{"id":"f1"}"#, "userId"), None);
    }

    #[test]
    fn one_format_prefers_the_lines() {
        let keys = |list: &[&str]| list.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(
            one_format(&keys(&["a/part-00000.parquet", "a/part-00000.json.gz"])),
            keys(&["a/part-00000.json.gz"])
        );
        assert_eq!(
            one_format(&keys(&["a/part-00000.parquet", "a/part-00001.parquet"])),
            keys(&["a/part-00000.parquet", "a/part-00001.parquet"])
        );
    }
}
