-- app_users, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: app_users/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   app_id: the parent's id
--   id: /id
--   scope: /scope
--   status: /status
--   user_name: /credentials/userName
--   created: /created
--   status_changed: /statusChanged
--   last_updated: /lastUpdated
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`app_users` (
  `raw`            string,
  `app_id`         string,
  `id`             string,
  `scope`          string,
  `status`         string,
  `user_name`      string,
  `created`        timestamp,
  `status_changed` timestamp,
  `last_updated`   timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}app_users/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}app_users/tenant=${tenant}/dt=${dt}/'
);
