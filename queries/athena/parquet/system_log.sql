-- system_log, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: system_log/tenant=…/dt=…/hour=…/RUN-part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   uuid: /uuid
--   published: /published
--   event_type: /eventType
--   severity: /severity
--   display_message: /displayMessage
--   actor_id: /actor/id
--   actor_type: /actor/type
--   actor_alternate_id: /actor/alternateId
--   actor_display_name: /actor/displayName
--   client_ip: /client/ipAddress
--   client_user_agent: /client/userAgent/rawUserAgent
--   client_zone: /client/zone
--   city: /client/geographicalContext/city
--   state: /client/geographicalContext/state
--   country: /client/geographicalContext/country
--   latitude: /client/geographicalContext/geolocation/lat
--   longitude: /client/geographicalContext/geolocation/lon
--   outcome_result: /outcome/result
--   outcome_reason: /outcome/reason
--   target_ids: /target/*/id
--   target_types: /target/*/type
--   transaction_id: /transaction/id
--   external_session_id: /authenticationContext/externalSessionId
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`system_log` (
  `raw`                 string,
  `uuid`                string,
  `published`           timestamp,
  `event_type`          string,
  `severity`            string,
  `display_message`     string,
  `actor_id`            string,
  `actor_type`          string,
  `actor_alternate_id`  string,
  `actor_display_name`  string,
  `client_ip`           string,
  `client_user_agent`   string,
  `client_zone`         string,
  `city`                string,
  `state`               string,
  `country`             string,
  `latitude`            double,
  `longitude`           double,
  `outcome_result`      string,
  `outcome_reason`      string,
  `target_ids`          array<string>,
  `target_types`        array<string>,
  `transaction_id`      string,
  `external_session_id` string
)
PARTITIONED BY (`tenant` string, `dt` string, `hour` int)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}system_log/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://${bucket}/${prefix}system_log/tenant=${tenant}/dt=${dt}/hour=${hour}/'
);
