-- resource_set_binding_members: Members of each resource set binding (GET /api/v1/iam/resource-sets/{id}/bindings/{roleId}/members): _links.self is the user or group holding the role over the set; resourceSetId and roleId name the binding.
-- Files: resource_set_binding_members/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`resource_set_binding_members` (
  `roleId`        string,
  `resourceSetId` string,
  `_links`        string,
  `created`       string,
  `id`            string,
  `lastUpdated`   string
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.resourcesetid' = 'resourceSetId',
  'mapping.roleid' = 'roleId'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}resource_set_binding_members/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}resource_set_binding_members/tenant=${tenant}/dt=${dt}/'
);
