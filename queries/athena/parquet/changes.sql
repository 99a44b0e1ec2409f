-- changes, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: changes/tenant=…/dt=…/run=…/RESOURCE-part-NNNNN.parquet.
-- raw holds the change record as the feed writes it; every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   resource: /resource
--   key: /key
--   id: /id
--   parent_id: /parent_id
--   change: /change
--   kind: /kind
--   severity: /severity
--   changed_paths: /fields/*/path
--   from_run: /from_run
--   to_run: /to_run
--   window_start: /window_start
--   window_end: /window_end
--   event_uuid: /cause/event_uuid
--   event_type: /cause/event_type
--   published: /cause/published
--   actor_id: /cause/actor/id
--   actor_login: /cause/actor/alternate_id
--   client_ip: /cause/client_ip
--   attribution: /attribution
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`changes` (
  `raw`           string,
  `resource`      string,
  `key`           string,
  `id`            string,
  `parent_id`     string,
  `change`        string,
  `kind`          string,
  `severity`      string,
  `changed_paths` array<string>,
  `from_run`      string,
  `to_run`        string,
  `window_start`  timestamp,
  `window_end`    timestamp,
  `event_uuid`    string,
  `event_type`    string,
  `published`     timestamp,
  `actor_id`      string,
  `actor_login`   string,
  `client_ip`     string,
  `attribution`   string
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}changes/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}changes/tenant=${tenant}/dt=${dt}/'
);
