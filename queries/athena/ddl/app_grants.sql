-- app_grants: OAuth scope grants of each OIDC app (GET /api/v1/apps/{id}/grants); appId names the app.
-- Files: app_grants/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`app_grants` (
  `appId`       string,
  `_links`      string,
  `id`          string,
  `clientId`    string,
  `issuer`      string,
  `scopeId`     string,
  `source`      string,
  `status`      string,
  `created`     string,
  `lastUpdated` string,
  `createdBy`   struct<id:string,type:string>
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.appid' = 'appId',
  'mapping.clientid' = 'clientId',
  'mapping.createdby' = 'createdBy',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.scopeid' = 'scopeId'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}app_grants/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}app_grants/tenant=${tenant}/dt=${dt}/'
);
