-- changes: the change feed. One row per object added, removed or modified between a tenant's
-- two consecutive complete snapshots of a resource, with its posture kind and severity and the
-- System Log event (actor, client IP) that made it, when one was found.
-- Files: changes/tenant=…/dt=…/run=…/{resource}-part-NNNNN.json.gz, dt the day of the later
-- snapshot's run. Read a comparison only if its manifest (resource 'changes' in the manifests
-- table, one per run and compared resource) says complete.
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`changes` (
  `resource`     string COMMENT 'the resource compared (users, user_roles, …)',
  `key`          string COMMENT 'the object: its id, {parent id}/{id} for a child, the setting for an org setting',
  `id`           string,
  `parent_id`    string,
  `change`       string COMMENT 'added, removed or modified',
  `kind`         string COMMENT 'the posture kind (admin_role.granted, mfa.factor_removed, …) or {resource}.{change}',
  `severity`     string COMMENT 'info, low, medium, high or critical',
  `fields`       array<struct<path:string,old:string,new:string>> COMMENT 'modified: the changed fields as JSON pointers, values as JSON text',
  `object`       string COMMENT 'the object after the change (before it, for a removal), as JSON',
  `from_run`     string,
  `to_run`       string,
  `window_start` string,
  `window_end`   string,
  `cause`        struct<event_uuid:string,event_type:string,published:string,actor:struct<id:string,type:string,display_name:string,alternate_id:string>,client_ip:string>,
  `attribution`  string COMMENT 'system_log, or why no event was found'
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}changes/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}changes/tenant=${tenant}/dt=${dt}/'
);
