-- groups: Groups with expand=stats (GET /api/v1/groups).
-- Files: groups/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`groups` (
  `_embedded`             struct<
    stats:struct<usersCount:bigint,appsCount:bigint,groupPushMappingsCount:bigint,hasAdminPrivilege:boolean>>,
  `_links`                string,
  `id`                    string,
  `type`                  string,
  `created`               string,
  `lastUpdated`           string,
  `lastMembershipUpdated` string,
  `objectClass`           array<string>,
  `profile`               struct<name:string,description:string>,
  `profile_json`          string,
  `source`                struct<id:string>
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.appscount' = 'appsCount',
  'mapping.grouppushmappingscount' = 'groupPushMappingsCount',
  'mapping.hasadminprivilege' = 'hasAdminPrivilege',
  'mapping.lastmembershipupdated' = 'lastMembershipUpdated',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.objectclass' = 'objectClass',
  'mapping.profile_json' = 'profile',
  'mapping.userscount' = 'usersCount'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}groups/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}groups/tenant=${tenant}/dt=${dt}/'
);
