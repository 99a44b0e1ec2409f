-- org_settings: Org settings that say who can reach the org; setting names the endpoint each line came from (privacy/oktaSupport, orgSettings/thirdPartyAdminSetting, settings/clientPrivilegesSetting, settings/autoAssignAdminAppSetting, preferences, privacy/oktaCommunication).
-- Files: org_settings/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_settings` (
  `setting`                   string,
  `_links`                    string,
  `support`                   string,
  `caseNumber`                string,
  `expiration`                string,
  `thirdPartyAdmin`           boolean,
  `clientPrivilegesSetting`   boolean,
  `autoAssignAdminAppSetting` boolean,
  `showEndUserFooter`         boolean,
  `optOutEmailUsers`          boolean
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.autoassignadminappsetting' = 'autoAssignAdminAppSetting',
  'mapping.casenumber' = 'caseNumber',
  'mapping.clientprivilegessetting' = 'clientPrivilegesSetting',
  'mapping.optoutemailusers' = 'optOutEmailUsers',
  'mapping.showenduserfooter' = 'showEndUserFooter',
  'mapping.thirdpartyadmin' = 'thirdPartyAdmin'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}org_settings/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}org_settings/tenant=${tenant}/dt=${dt}/'
);
