-- users, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: users/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   id: /id
--   status: /status
--   login: /profile/login
--   email: /profile/email
--   first_name: /profile/firstName
--   last_name: /profile/lastName
--   display_name: /profile/displayName
--   type_id: /type/id
--   created: /created
--   activated: /activated
--   status_changed: /statusChanged
--   last_login: /lastLogin
--   last_updated: /lastUpdated
--   password_changed: /passwordChanged
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`users` (
  `raw`              string,
  `id`               string,
  `status`           string,
  `login`            string,
  `email`            string,
  `first_name`       string,
  `last_name`        string,
  `display_name`     string,
  `type_id`          string,
  `created`          timestamp,
  `activated`        timestamp,
  `status_changed`   timestamp,
  `last_login`       timestamp,
  `last_updated`     timestamp,
  `password_changed` timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}users/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}users/tenant=${tenant}/dt=${dt}/'
);
