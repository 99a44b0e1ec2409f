//! Athena DDL for the Parquet parts, rendered from the column declarations.
//!
//! `queries/athena/parquet/<resource>.sql` are these renderings, checked in so that they can be
//! read and run without building anything; a test fails when one differs from what the
//! declarations give (and rewrites them with `OKTA_INGEST_WRITE_DDL=1`).

use crate::columns::{self, Kind, RAW};
use crate::resources::{self, Resource};

fn athena_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "string",
        Kind::Timestamp => "timestamp",
        Kind::Integer => "bigint",
        Kind::Double => "double",
        Kind::Boolean => "boolean",
        Kind::TextList => "array<string>",
    }
}

/// The `CREATE EXTERNAL TABLE` of a resource's Parquet parts, with the placeholders
/// `${bucket}`, `${prefix}` and `${database}` that `queries/athena/render.sh` fills.
pub fn parquet_table(resource: &Resource, kind: resources::Kind) -> String {
    let table = columns::table(resource.name).expect("every resource declares its columns");
    let added = columns::added_column(resource).map(|added| {
        let what = if resource.parent.is_some() {
            "the parent's id"
        } else {
            "the listing it came from"
        };
        (added, what)
    });
    let name = resource.name;
    let files = if kind == resources::Kind::EventLog {
        format!("{name}/tenant=…/dt=…/hour=…/RUN-part-NNNNN.parquet")
    } else {
        format!("{name}/tenant=…/dt=…/run=…/part-NNNNN.parquet")
    };
    render(
        table,
        added,
        kind == resources::Kind::EventLog,
        &files,
        "the record as Okta sent it (after the tenant's PII policy)",
    )
}

/// The change feed's table (`crate::changes`): one row per change, the record in `raw`.
pub fn change_feed_table() -> String {
    let name = resources::CHANGE_FEED.name;
    let table = columns::table(name).expect("the change feed declares its columns");
    render(
        table,
        None,
        false,
        &format!("{name}/tenant=…/dt=…/run=…/RESOURCE-part-NNNNN.parquet"),
        "the change record as the feed writes it",
    )
}

fn render(
    table: &columns::Table,
    added: Option<(String, &str)>,
    events: bool,
    files: &str,
    raw_holds: &str,
) -> String {
    let name = table.resource;
    let mut columns: Vec<(String, &str, String)> =
        vec![(RAW.into(), "string", format!("{raw_holds}, byte for byte"))];
    if let Some((added, what)) = added {
        columns.push((added, "string", what.into()));
    }
    for c in table.columns {
        columns.push((c.name.into(), athena_type(c.kind), c.pointer.into()));
    }
    let width = columns.iter().map(|c| c.0.len()).max().unwrap_or(0) + 2;
    let body: Vec<String> = columns
        .iter()
        .map(|(n, t, _)| format!("  {:<width$} {t}", format!("`{n}`")))
        .collect();
    let (partitions, hour_projection, template_tail) = if events {
        (
            "`tenant` string, `dt` string, `hour` int",
            "  'projection.hour.type' = 'integer',\n  'projection.hour.range' = '0,23',\n  'projection.hour.digits' = '2',\n",
            "tenant=${tenant}/dt=${dt}/hour=${hour}/",
        )
    } else {
        (
            "`tenant` string, `dt` string",
            "",
            "tenant=${tenant}/dt=${dt}/",
        )
    };
    let sources: Vec<String> = columns
        .iter()
        .skip(1)
        .map(|(n, _, source)| format!("--   {n}: {source}"))
        .collect();
    format!(
        "-- {name}, Parquet parts (schema version {version}). Rendered from shared/src/columns.rs by\n\
         -- shared/src/athena.rs: change the declaration, not this file.\n\
         -- Files: {files}.\n\
         -- raw holds {raw_holds}; every other column\n\
         -- is read from it (JSON pointer below), null where the field is absent or of another type:\n\
         {sources}\n\
         -- Placeholders ${{bucket}}, ${{prefix}}, ${{database}}: fill with queries/athena/render.sh -p.\n\
         CREATE EXTERNAL TABLE IF NOT EXISTS `${{database}}`.`{name}` (\n\
         {body}\n\
         )\n\
         PARTITIONED BY ({partitions})\n\
         STORED AS PARQUET\n\
         LOCATION 's3://${{bucket}}/${{prefix}}{name}/'\n\
         TBLPROPERTIES (\n  \
           'projection.enabled' = 'true',\n  \
           'projection.tenant.type' = 'injected',\n  \
           'projection.dt.type' = 'date',\n  \
           'projection.dt.format' = 'yyyy-MM-dd',\n  \
           'projection.dt.range' = '2024-01-01,NOW',\n  \
           'projection.dt.interval' = '1',\n  \
           'projection.dt.interval.unit' = 'DAYS',\n\
         {hour_projection}  \
           'storage.location.template' = 's3://${{bucket}}/${{prefix}}{name}/{template_tail}'\n\
         );\n",
        version = table.version,
        sources = sources.join("\n"),
        body = body.join(",\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_checked_in_parquet_ddl_is_what_the_declarations_give() {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../queries/athena/parquet");
        let write = std::env::var("OKTA_INGEST_WRITE_DDL").as_deref() == Ok("1");
        let mut stale = Vec::new();
        let mut names = Vec::new();
        let tables = resources::ALL.iter().flat_map(|group| {
            group
                .resources
                .iter()
                .map(|resource| (resource.name, parquet_table(resource, group.kind)))
        });
        let feed = [(resources::CHANGE_FEED.name, change_feed_table())];
        for (name, want) in tables.chain(feed) {
            let path = folder.join(format!("{name}.sql"));
            names.push(format!("{name}.sql"));
            if write {
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(&path, &want).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "queries/athena/parquet is out of date for {stale:?}: \
             OKTA_INGEST_WRITE_DDL=1 cargo test -p okta-ingest --lib athena"
        );
        let mut present: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        present.sort();
        names.sort();
        assert_eq!(present, names, "one file per resource, no others");
    }
}
