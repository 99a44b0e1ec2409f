-- api_service_integrations: API service integrations and the Okta scopes granted to each (GET /integrations/api/v1/api-services).
-- Files: api_service_integrations/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`api_service_integrations` (
  `_links`         string,
  `configGuideUrl` string,
  `createdAt`      string,
  `createdBy`      string,
  `grantedScopes`  string,
  `id`             string,
  `name`           string,
  `type`           string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.configguideurl' = 'configGuideUrl',
  'mapping.createdat' = 'createdAt',
  'mapping.createdby' = 'createdBy',
  'mapping.grantedscopes' = 'grantedScopes'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}api_service_integrations/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}api_service_integrations/tenant=${tenant}/dt=${dt}/'
);
