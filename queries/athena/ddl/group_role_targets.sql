-- group_role_targets: Each admin group's roles with their targets embedded (GET /api/v1/groups/{id}/roles?expand=targets/groups, then ?expand=targets/catalog/apps): two lines per assignment, as user_role_targets. groupId names the group.
-- Files: group_role_targets/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`group_role_targets` (
  `groupId`        string,
  `_embedded`      string,
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
  'mapping.groupid' = 'groupId',
  'mapping.lastupdated' = 'lastUpdated'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}group_role_targets/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}group_role_targets/tenant=${tenant}/dt=${dt}/'
);
