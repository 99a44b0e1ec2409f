-- trusted_origins: Trusted origins allowed for CORS, redirects or iframe embedding (GET /api/v1/trustedOrigins).
-- Files: trusted_origins/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`trusted_origins` (
  `_links`        string,
  `created`       string,
  `createdBy`     string,
  `id`            string,
  `lastUpdated`   string,
  `lastUpdatedBy` string,
  `name`          string,
  `origin`        string,
  `scopes`        array<struct<type:string>>,
  `status`        string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.createdby' = 'createdBy',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.lastupdatedby' = 'lastUpdatedBy'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}trusted_origins/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}trusted_origins/tenant=${tenant}/dt=${dt}/'
);
