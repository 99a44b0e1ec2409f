-- network_zones: Network zones (GET /api/v1/zones). gateways, proxies, locations and asns change shape with the zone type, so they stay JSON text.
-- Files: network_zones/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`network_zones` (
  `_links`              string,
  `id`                  string,
  `name`                string,
  `type`                string,
  `status`              string,
  `usage`               string,
  `system`              boolean,
  `created`             string,
  `lastUpdated`         string,
  `proxyType`           string,
  `gateways`            string,
  `proxies`             string,
  `locations`           string,
  `asns`                string,
  `ipServiceCategories` string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.ipservicecategories' = 'ipServiceCategories',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.proxytype' = 'proxyType'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}network_zones/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}network_zones/tenant=${tenant}/dt=${dt}/'
);
