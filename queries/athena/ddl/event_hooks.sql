-- event_hooks: Event hooks, which send events to an outside endpoint (GET /api/v1/eventHooks). Header values (the hook's credential) are dropped before writing.
-- Files: event_hooks/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`event_hooks` (
  `_links`             string,
  `channel`            string,
  `created`            string,
  `createdBy`          string,
  `description`        string,
  `events`             string,
  `id`                 string,
  `lastUpdated`        string,
  `name`               string,
  `status`             string,
  `verificationStatus` string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.createdby' = 'createdBy',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.verificationstatus' = 'verificationStatus'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
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
