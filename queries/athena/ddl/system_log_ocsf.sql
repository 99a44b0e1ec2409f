-- system_log_ocsf: the System Log in OCSF 1.8.0, one record per event (shared/src/ocsf/), beside system_log.
-- Files: system_log_ocsf/tenant=…/dt=…/hour=…/{run}-part-NNNNN.json.gz, the same hours and part names as system_log.
-- metadata.original_event_uid is Okta's uuid: count DISTINCT it (a backfill may land an event twice).
-- JSON SerDe for now; the Parquet output moves this table to Parquet. OCSF keys are snake_case: no mappings.
-- unmapped (what OCSF has no place for, as Okta sent it) and evidences are JSON text: json_extract_scalar.
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`system_log_ocsf` (
  `class_uid`      int,
  `class_name`     string,
  `category_uid`   int,
  `category_name`  string,
  `activity_id`    int,
  `activity_name`  string,
  `type_uid`       bigint,
  `type_name`      string,
  `time`           bigint,
  `severity_id`    int,
  `severity`       string,
  `status_id`      int,
  `status`         string,
  `status_code`    string,
  `status_detail`  string,
  `message`        string,
  `metadata`       struct<
    version:string,
    product:struct<name:string,vendor_name:string>,
    profiles:array<string>,
    log_name:string,
    log_provider:string,
    log_version:string,
    event_code:string,
    original_time:string,
    original_event_uid:string,
    correlation_uid:string>,
  `actor`          struct<
    user:struct<uid:string,name:string,full_name:string,email_addr:string,type:string,type_id:int>,
    session:struct<uid:string,uid_alt:string>>,
  `user`           struct<uid:string,name:string,full_name:string,email_addr:string,type:string,type_id:int>,
  `session`        struct<uid:string,uid_alt:string>,
  `service`        struct<uid:string,name:string>,
  `is_mfa`         boolean,
  `group`          struct<uid:string,name:string>,
  `privileges`     array<string>,
  `resource`       struct<uid:string,name:string,type:string>,
  `entity`         struct<uid:string,name:string,type:string>,
  `resources`      array<struct<uid:string,name:string,type:string>>,
  `api`            struct<operation:string,request:struct<uid:string>>,
  `finding_info`   struct<uid:string,title:string,types:array<string>>,
  `disposition_id` int,
  `disposition`    string,
  `evidences`      string,
  `src_endpoint`   struct<
    ip:string,
    domain:string,
    isp:string,
    autonomous_system:struct<number:bigint,name:string>,
    location:struct<city:string,region:string,postal_code:string,lat:double,long:double>,
    os:struct<name:string,type_id:int>>,
  `device`         struct<uid:string,name:string,type_id:int,is_managed:boolean,os:struct<name:string,version:string,type_id:int>> COMMENT 'Identity Engine devices; not in the demo',
  `http_request`   struct<uid:string,user_agent:string>,
  `unmapped`       string
)
PARTITIONED BY (`tenant` string, `dt` string, `hour` int)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
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
