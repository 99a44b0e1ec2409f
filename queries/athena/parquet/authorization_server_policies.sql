-- authorization_server_policies, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: authorization_server_policies/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   auth_server_id: the parent's id
--   id: /id
--   name: /name
--   status: /status
--   type: /type
--   priority: /priority
--   clients_included: /conditions/clients/include/*
--   created: /created
--   last_updated: /lastUpdated
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`authorization_server_policies` (
  `raw`              string,
  `auth_server_id`   string,
  `id`               string,
  `name`             string,
  `status`           string,
  `type`             string,
  `priority`         bigint,
  `clients_included` array<string>,
  `created`          timestamp,
  `last_updated`     timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}authorization_server_policies/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}authorization_server_policies/tenant=${tenant}/dt=${dt}/'
);
