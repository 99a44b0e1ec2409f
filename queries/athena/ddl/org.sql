-- org: The org itself (GET /api/v1/org): one line per snapshot.
-- Files: org/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org` (
  `_links`                string,
  `id`                    string,
  `subdomain`             string,
  `companyName`           string,
  `status`                string,
  `created`               string,
  `lastUpdated`           string,
  `expiresAt`             string,
  `website`               string,
  `phoneNumber`           string,
  `supportPhoneNumber`    string,
  `endUserSupportHelpURL` string,
  `address1`              string,
  `address2`              string,
  `city`                  string,
  `state`                 string,
  `postalCode`            string,
  `country`               string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.companyname' = 'companyName',
  'mapping.endusersupporthelpurl' = 'endUserSupportHelpURL',
  'mapping.expiresat' = 'expiresAt',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.phonenumber' = 'phoneNumber',
  'mapping.postalcode' = 'postalCode',
  'mapping.supportphonenumber' = 'supportPhoneNumber'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}org/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}org/tenant=${tenant}/dt=${dt}/'
);
