-- app_users: Users assigned to each app (GET /api/v1/apps/{id}/users); appId names the app.
-- Files: app_users/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`app_users` (
  `appId`           string,
  `_links`          string,
  `id`              string,
  `scope`           string,
  `status`          string,
  `syncState`       string,
  `externalId`      string,
  `created`         string,
  `lastUpdated`     string,
  `statusChanged`   string,
  `lastSync`        string,
  `passwordChanged` string,
  `credentials`     struct<userName:string>,
  `profile`         string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.appid' = 'appId',
  'mapping.externalid' = 'externalId',
  'mapping.lastsync' = 'lastSync',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.passwordchanged' = 'passwordChanged',
  'mapping.statuschanged' = 'statusChanged',
  'mapping.syncstate' = 'syncState',
  'mapping.username' = 'userName'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
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
