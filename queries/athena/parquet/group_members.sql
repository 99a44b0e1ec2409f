-- group_members, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: group_members/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   group_id: the parent's id
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
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`group_members` (
  `raw`              string,
  `group_id`         string,
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
LOCATION 's3://${bucket}/${prefix}group_members/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}group_members/tenant=${tenant}/dt=${dt}/'
);
