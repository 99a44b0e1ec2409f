-- api_tokens: API token metadata (GET /api/v1/api-tokens): owner (userId), network zone binding, expiry. Okta never returns token values. Okta names this object's links _link.
-- Files: api_tokens/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`api_tokens` (
  `_link`       string,
  `clientName`  string,
  `created`     string,
  `expiresAt`   string,
  `id`          string,
  `lastUpdated` string,
  `name`        string,
  `network`     string,
  `tokenWindow` string,
  `userId`      string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.clientname' = 'clientName',
  'mapping.expiresat' = 'expiresAt',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.tokenwindow' = 'tokenWindow',
  'mapping.userid' = 'userId'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
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
