-- user_factors: MFA factors enrolled per user (GET /api/v1/users/{id}/factors); userId names the user.
-- Files: user_factors/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`user_factors` (
  `userId`      string,
  `_links`      string,
  `id`          string,
  `factorType`  string,
  `provider`    string,
  `vendorName`  string,
  `status`      string,
  `created`     string,
  `lastUpdated` string,
  `profile`     string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.factortype' = 'factorType',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.userid' = 'userId',
  'mapping.vendorname' = 'vendorName'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}user_factors/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}user_factors/tenant=${tenant}/dt=${dt}/'
);
