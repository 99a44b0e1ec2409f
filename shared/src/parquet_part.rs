//! One Parquet part being written: records in, zstd-compressed row groups out, as they fill.
//!
//! Rows gather in Arrow builders and go to the writer in batches; the writer closes a row
//! group once its encoded size reaches [`ROW_GROUP_BYTES`] and writes it to the output buffer,
//! which the caller empties (and ships) whenever it likes. So memory holds about one row group,
//! whatever the part's size. The columns are the resource's [`Table`]: `raw`, the added
//! parent (or label) column, then the declared ones.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::columns::{Kind, RAW, Table};
use fields::{Fields, Found, Scalar};

mod fields;

/// A row group is closed at this estimated encoded (compressed) size: tens of MB suit Athena
/// and Spark, and a writer holds one in memory, so several resources written at once still fit
/// a 128 MB Lambda.
pub const ROW_GROUP_BYTES: usize = 16 * 1024 * 1024;
/// The output buffer's reserved room: a row group and its page headers, with margin for the
/// writer's estimate falling short.
const OUTPUT_ROOM: usize = ROW_GROUP_BYTES + ROW_GROUP_BYTES / 2;
/// Rows gathered in builders before they are handed to the writer as one batch.
const BATCH_ROWS: usize = 4096;
/// Raw bytes gathered in builders before they are handed over, whatever the row count.
const BATCH_RAW_BYTES: usize = 4 * 1024 * 1024;
/// zstd level 1: the fastest; CPU is what a Lambda bills, and columns of ids and statuses
/// compress well at any level.
const ZSTD_LEVEL: i32 = 1;
/// Footer keys naming the resource and its table's version.
pub const RESOURCE_KEY: &str = "okta_ingest.resource";
pub const VERSION_KEY: &str = "okta_ingest.schema_version";

/// The Arrow schema of a resource's parts.
pub fn schema(table: &Table, added: Option<&str>) -> Schema {
    let mut fields = vec![Field::new(RAW, DataType::Utf8, false)];
    if let Some(name) = added {
        fields.push(Field::new(name, DataType::Utf8, true));
    }
    fields.extend(
        table
            .columns
            .iter()
            .map(|c| Field::new(c.name, arrow_type(c.kind), true)),
    );
    Schema::new(fields)
}

fn arrow_type(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        Kind::Integer => DataType::Int64,
        Kind::Double => DataType::Float64,
        Kind::Boolean => DataType::Boolean,
        Kind::TextList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
    }
}

enum Builder {
    Text(StringBuilder),
    Timestamp(TimestampMillisecondBuilder),
    Integer(Int64Builder),
    Double(Float64Builder),
    Boolean(BooleanBuilder),
    TextList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Kind) -> Self {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::Timestamp => {
                Builder::Timestamp(TimestampMillisecondBuilder::new().with_timezone("UTC"))
            }
            Kind::Integer => Builder::Integer(Int64Builder::new()),
            Kind::Double => Builder::Double(Float64Builder::new()),
            Kind::Boolean => Builder::Boolean(BooleanBuilder::new()),
            Kind::TextList => Builder::TextList(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Appends what the column's pointer found, or a null if it found nothing of its type.
    fn append(&mut self, found: Found<'_>) {
        let (scalar, list) = match found {
            Found::Scalar(scalar) => (Some(scalar), None),
            Found::List(items) => (None, Some(items)),
            Found::Missing => (None, None),
        };
        match self {
            Builder::Text(b) => b.append_option(match &scalar {
                Some(Scalar::Str(s)) => Some(s.as_ref()),
                _ => None,
            }),
            Builder::Timestamp(b) => b.append_option(scalar.and_then(|v| {
                match v {
                    Scalar::Str(s) => chrono::DateTime::parse_from_rfc3339(&s)
                        .ok()
                        .map(|t| t.timestamp_millis()),
                    // Epoch milliseconds, as OCSF's `time` is written.
                    number => number.as_i64(),
                }
            })),
            Builder::Integer(b) => b.append_option(scalar.and_then(|v| v.as_i64())),
            Builder::Double(b) => b.append_option(scalar.and_then(|v| v.as_f64())),
            Builder::Boolean(b) => b.append_option(match scalar {
                Some(Scalar::Bool(v)) => Some(v),
                _ => None,
            }),
            Builder::TextList(b) => match list {
                Some(items) => {
                    for item in items {
                        b.values().append_value(item);
                    }
                    b.append(true);
                }
                None => b.append(false),
            },
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Timestamp(b) => Arc::new(b.finish()),
            Builder::Integer(b) => Arc::new(b.finish()),
            Builder::Double(b) => Arc::new(b.finish()),
            Builder::Boolean(b) => Arc::new(b.finish()),
            Builder::TextList(b) => Arc::new(b.finish()),
        }
    }
}

/// A Parquet file being written into memory, emptied by the caller as row groups land.
pub struct ParquetPart {
    fields: Fields,
    schema: SchemaRef,
    writer: ArrowWriter<Vec<u8>>,
    raw: StringBuilder,
    added: Option<StringBuilder>,
    columns: Vec<Builder>,
    rows: usize,
    raw_bytes: usize,
}

impl ParquetPart {
    /// A part of `table`, with the added column `added` (the parent's id or the label).
    pub fn new(table: &'static Table, added: Option<&str>) -> Result<Self, ParquetError> {
        let schema = Arc::new(schema(table, added));
        let raw = ColumnPath::from(RAW);
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_max_row_group_row_count(None)
            // Whole records: a dictionary never pays, and min/max statistics of JSON text
            // would only bloat the footer.
            .set_column_dictionary_enabled(raw.clone(), false)
            .set_column_statistics_enabled(raw, EnabledStatistics::None)
            .set_key_value_metadata(Some(vec![
                KeyValue::new(RESOURCE_KEY.into(), table.resource.to_owned()),
                KeyValue::new(VERSION_KEY.into(), table.version.to_string()),
            ]))
            .build();
        let writer = ArrowWriter::try_new(
            Vec::with_capacity(OUTPUT_ROOM),
            schema.clone(),
            Some(properties),
        )?;
        Ok(Self {
            fields: Fields::new(table.columns),
            schema,
            writer,
            raw: StringBuilder::new(),
            added: added.map(|_| StringBuilder::new()),
            columns: table.columns.iter().map(|c| Builder::new(c.kind)).collect(),
            rows: 0,
            raw_bytes: 0,
        })
    }

    /// Adds one record: `raw` byte for byte, `added` in the added column, and the declared
    /// columns read from it.
    pub fn write(&mut self, raw: &str, added: Option<&str>) -> Result<(), ParquetError> {
        // A record that does not parse keeps its bytes in `raw` and nulls elsewhere rather
        // than be lost.
        if !self.columns.is_empty() {
            for (builder, found) in self.columns.iter_mut().zip(self.fields.read(raw)) {
                builder.append(found);
            }
        }
        self.raw.append_value(raw);
        if let Some(b) = self.added.as_mut() {
            b.append_option(added);
        }
        self.rows += 1;
        self.raw_bytes += raw.len();
        if self.rows >= BATCH_ROWS || self.raw_bytes >= BATCH_RAW_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<(), ParquetError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(self.raw.finish())];
        if let Some(b) = self.added.as_mut() {
            arrays.push(Arc::new(b.finish()));
        }
        arrays.extend(self.columns.iter_mut().map(Builder::finish));
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.writer.write(&batch)?;
        self.writer.sync()?;
        self.rows = 0;
        self.raw_bytes = 0;
        Ok(())
    }

    /// The finished bytes so far (closed row groups), for the caller to take and ship.
    pub fn output(&mut self) -> &mut Vec<u8> {
        self.writer.inner_mut()
    }

    /// Takes the finished bytes, leaving an output buffer with room for a whole row group:
    /// growing one by doubling would copy it and hold old and new copies at once. Room not yet
    /// written to is only reserved, not resident.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::replace(self.output(), Vec::with_capacity(OUTPUT_ROOM))
    }

    /// Writes the last rows and the footer; returns the bytes not yet taken.
    pub fn finish(mut self) -> Result<Vec<u8>, ParquetError> {
        self.write_batch()?;
        self.writer.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampMillisecondType};
    use bytes::Bytes;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn read(bytes: Vec<u8>) -> Vec<RecordBatch> {
        ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes))
            .unwrap()
            .build()
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Records as Okta might send them: odd spacing, escapes, numbers written their own way,
    /// fields no schema knows, and types other than the declared ones.
    const RECORDS: &[&str] = &[
        r#"{"id":"00u1","status":"ACTIVE","created":"2026-11-28T16:43:00.000Z","profile":{"login":"a@x.io","email":"a@x.io"},"x":1.50}"#,
        "{ \"id\" : \"00u2\",\n \"status\":\"\\u0041CTIVE\", \"profile\":{\"login\":\"b\\u00e9@x.io\"}, \"debug\":{\"n\":1e3} }",
        r#"{"id":3,"status":null,"created":"not a time","lastLogin":"2026-01-02T03:04:05Z","activated":1764800000000}"#,
        r#"{}"#,
    ];

    fn write_all(table: &'static Table, added: Option<&str>, records: &[&str]) -> Vec<u8> {
        let mut part = ParquetPart::new(table, added.map(|_| "user_id")).unwrap();
        let mut shipped = Vec::new();
        for raw in records {
            part.write(raw, added).unwrap();
            // What the caller does between records: ship whatever is ready.
            shipped.append(part.output());
        }
        shipped.extend(part.finish().unwrap());
        shipped
    }

    #[test]
    fn raw_round_trips_byte_for_byte_and_columns_are_typed() {
        let table = columns::table("users").unwrap();
        let batches = read(write_all(table, None, RECORDS));
        assert_eq!(batches.len(), 1, "four records make one batch");
        let batch = &batches[0];
        let raw: Vec<&str> = batch
            .column(0)
            .as_string::<i32>()
            .iter()
            .flatten()
            .collect();
        assert_eq!(raw, RECORDS);
        let col = |name: &str| batch.column_by_name(name).unwrap().clone();
        let ids = col("id");
        let ids: Vec<Option<&str>> = ids.as_string::<i32>().iter().collect();
        assert_eq!(ids, [Some("00u1"), Some("00u2"), None, None]);
        let status = col("status");
        let status: Vec<Option<&str>> = status.as_string::<i32>().iter().collect();
        assert_eq!(status, [Some("ACTIVE"), Some("ACTIVE"), None, None]);
        let login = col("login");
        assert_eq!(login.as_string::<i32>().value(1), "bé@x.io");
        let created = col("created");
        let created = created.as_primitive::<TimestampMillisecondType>();
        let millis = |s| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        assert_eq!(created.value(0), millis("2026-11-28T16:43:00Z"));
        assert!(
            created.is_null(2),
            "an unparseable time is null; raw keeps it"
        );
        let last_login = col("last_login");
        assert_eq!(
            last_login
                .as_primitive::<TimestampMillisecondType>()
                .value(2),
            millis("2026-01-02T03:04:05Z")
        );
        let activated = col("activated");
        let activated = activated.as_primitive::<TimestampMillisecondType>();
        assert_eq!(
            activated.value(2),
            1_764_800_000_000,
            "epoch milliseconds too"
        );
    }

    #[test]
    fn the_footer_names_the_resource_and_schema_version_and_lists_work() {
        let table = columns::table("group_rules").unwrap();
        let bytes = write_all(
            table,
            Some("g1"),
            &[
                r#"{"id":"r1","actions":{"assignUserToGroups":{"groupIds":["a","b"]}}}"#,
                r#"{"id":"r2"}"#,
            ],
        );
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes)).unwrap();
        let kv = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .clone();
        let get = |k: &str| kv.iter().find(|e| e.key == k).unwrap().value.clone();
        assert_eq!(get(RESOURCE_KEY).as_deref(), Some("group_rules"));
        assert_eq!(get(VERSION_KEY).as_deref(), Some("1"));
        let batch = reader.build().unwrap().next().unwrap().unwrap();
        assert_eq!(batch.schema().field(1).name(), "user_id");
        let lists = batch.column_by_name("group_ids").unwrap().as_list::<i32>();
        let first = lists.value(0);
        let first: Vec<&str> = first.as_string::<i32>().iter().flatten().collect();
        assert_eq!(first, ["a", "b"]);
        assert!(lists.is_null(1));
        let table = columns::table("groups").unwrap();
        let groups = read(write_all(
            table,
            None,
            &[r#"{"id":"g","_embedded":{"stats":{"usersCount":12}}}"#],
        ));
        let counts = groups[0].column_by_name("users_count").unwrap().clone();
        assert_eq!(counts.as_primitive::<Int64Type>().value(0), 12);
    }

    #[test]
    fn row_groups_leave_memory_as_they_fill() {
        let table = columns::table("system_log").unwrap();
        let mut part = ParquetPart::new(table, None).unwrap();
        let (mut shipped, mut written) = (0, 0);
        // Hex noise (zstd halves it), so a row group fills in a test-sized number of rows; the first
        // bytes out are only the file's magic number.
        while shipped < ROW_GROUP_BYTES / 2 {
            let noise: String = (0..64)
                .map(|_| format!("{:016x}", fastrand::u64(..)))
                .collect();
            let raw = format!(r#"{{"uuid":"{written}","n":"{noise}"}}"#);
            part.write(&raw, None).unwrap();
            written += raw.len();
            shipped += part.take_output().len();
            assert!(written < 4 * ROW_GROUP_BYTES, "no row group closed yet");
        }
        assert!(part.finish().unwrap().len() < ROW_GROUP_BYTES);
    }
}
