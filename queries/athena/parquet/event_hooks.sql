-- event_hooks, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: event_hooks/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   id: /id
--   name: /name
--   type: /type
--   status: /status
--   verification_status: /verificationStatus
--   uri: /channel/config/uri
--   created: /created
--   last_updated: /lastUpdated
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`event_hooks` (
  `raw`                 string,
  `id`                  string,
  `name`                string,
  `type`                string,
  `status`              string,
  `verification_status` string,
  `uri`                 string,
  `created`             timestamp,
  `last_updated`        timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}event_hooks/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}event_hooks/tenant=${tenant}/dt=${dt}/'
);
