-- system_log_ocsf, Parquet parts (schema version 1). Rendered from shared/src/columns.rs by
-- shared/src/athena.rs: change the declaration, not this file.
-- Files: system_log_ocsf/tenant=…/dt=…/hour=…/RUN-part-NNNNN.parquet.
-- raw holds the record as Okta sent it (after the tenant's PII policy); every other column
-- is read from it (JSON pointer below), null where the field is absent or of another type:
--   time: /time
--   class_uid: /class_uid
--   class_name: /class_name
--   category_uid: /category_uid
--   activity_id: /activity_id
--   type_uid: /type_uid
--   severity_id: /severity_id
--   status_id: /status_id
--   status: /status
--   event_code: /metadata/event_code
--   original_event_uid: /metadata/original_event_uid
--   actor_user_uid: /actor/user/uid
--   actor_user_name: /actor/user/name
--   user_uid: /user/uid
--   user_name: /user/name
--   src_ip: /src_endpoint/ip
--   src_country: /src_endpoint/location/country
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh -p.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`system_log_ocsf` (
  `raw`                string,
  `time`               timestamp,
  `class_uid`          bigint,
  `class_name`         string,
  `category_uid`       bigint,
  `activity_id`        bigint,
  `type_uid`           bigint,
  `severity_id`        bigint,
  `status_id`          bigint,
  `status`             string,
  `event_code`         string,
  `original_event_uid` string,
  `actor_user_uid`     string,
  `actor_user_name`    string,
  `user_uid`           string,
  `user_name`          string,
  `src_ip`             string,
  `src_country`        string
)
PARTITIONED BY (`tenant` string, `dt` string, `hour` int)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}system_log_ocsf/'
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
  'storage.location.template' = 's3://${bucket}/${prefix}system_log_ocsf/tenant=${tenant}/dt=${dt}/hour=${hour}/'
);
