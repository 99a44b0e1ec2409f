-- authorization_server_policy_rules, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: authorization_server_policy_rules/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   policy_id: the parent's id
--   id: /id
--   auth_server_id: /authServerId
--   name: /name
--   status: /status
--   type: /type
--   priority: /priority
--   grant_types: /conditions/grantTypes/include/*
--   scopes: /conditions/scopes/include/*
--   created: /created
--   last_updated: /lastUpdated
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`authorization_server_policy_rules` (
  `raw`            string,
  `policy_id`      string,
  `id`             string,
  `auth_server_id` string,
  `name`           string,
  `status`         string,
  `type`           string,
  `priority`       bigint,
  `grant_types`    array<string>,
  `scopes`         array<string>,
  `created`        timestamp,
  `last_updated`   timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}authorization_server_policy_rules/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}authorization_server_policy_rules/tenant=${tenant}/dt=${dt}/'
);
