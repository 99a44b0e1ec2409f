-- api_tokens, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: api_tokens/tenant=…/dt=…/run=…/part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   id: /id
--   name: /name
--   user_id: /userId
--   client_name: /clientName
--   token_window: /tokenWindow
--   network_connection: /network/connection
--   created: /created
--   last_updated: /lastUpdated
--   expires_at: /expiresAt
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`api_tokens` (
  `raw`                string,
  `id`                 string,
  `name`               string,
  `user_id`            string,
  `client_name`        string,
  `token_window`       string,
  `network_connection` string,
  `created`            timestamp,
  `last_updated`       timestamp,
  `expires_at`         timestamp
)
PARTITIONED BY (`tenant` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}api_tokens/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}api_tokens/tenant=${tenant}/dt=${dt}/'
);
