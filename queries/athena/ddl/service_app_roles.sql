-- service_app_roles: Admin roles held by OAuth service apps (GET /oauth2/v1/clients/{clientId}/roles); clientId names the app's OAuth client (apps.credentials.oauthClient.client_id).
-- Files: service_app_roles/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`service_app_roles` (
  `clientId`       string,
  `_links`         string,
  `assignmentType` string,
  `created`        string,
  `id`             string,
  `label`          string,
  `lastUpdated`    string,
  `status`         string,
  `type`           string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.assignmenttype' = 'assignmentType',
  'mapping.clientid' = 'clientId',
  'mapping.lastupdated' = 'lastUpdated'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}service_app_roles/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}service_app_roles/tenant=${tenant}/dt=${dt}/'
);
