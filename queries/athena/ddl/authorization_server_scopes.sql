-- authorization_server_scopes: Scopes of each authorization server (GET /api/v1/authorizationServers/{id}/scopes); authServerId names the server.
-- Files: authorization_server_scopes/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`authorization_server_scopes` (
  `authServerId`    string,
  `consent`         string,
  `default`         boolean,
  `id`              string,
  `metadataPublish` string,
  `name`            string,
  `optional`        boolean,
  `system`          boolean,
  `description`     string,
  `displayName`     string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.authserverid' = 'authServerId',
  'mapping.displayname' = 'displayName',
  'mapping.metadatapublish' = 'metadataPublish'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}authorization_server_scopes/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}authorization_server_scopes/tenant=${tenant}/dt=${dt}/'
);
