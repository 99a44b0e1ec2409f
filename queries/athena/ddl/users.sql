-- users: Okta users, DEPROVISIONED included (GET /api/v1/users, plus the DEPROVISIONED search).
-- Files: users/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`users` (
  `_links`          string,
  `id`              string,
  `status`          string,
  `created`         string,
  `activated`       string,
  `statusChanged`   string,
  `lastLogin`       string,
  `lastUpdated`     string,
  `passwordChanged` string,
  `type`            struct<id:string>,
  `profile`         struct<
    login:string,
    email:string,
    secondEmail:string,
    firstName:string,
    lastName:string,
    displayName:string,
    nickName:string,
    userType:string,
    employeeNumber:string,
    organization:string,
    division:string,
    department:string,
    costCenter:string,
    title:string,
    manager:string,
    managerId:string,
    city:string,
    state:string,
    countryCode:string,
    locale:string,
    preferredLanguage:string,
    timezone:string>,
  `profile_json`    string,
  `credentials`     struct<provider:struct<type:string,name:string>>
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.costcenter' = 'costCenter',
  'mapping.countrycode' = 'countryCode',
  'mapping.displayname' = 'displayName',
  'mapping.employeenumber' = 'employeeNumber',
  'mapping.firstname' = 'firstName',
  'mapping.lastlogin' = 'lastLogin',
  'mapping.lastname' = 'lastName',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.managerid' = 'managerId',
  'mapping.nickname' = 'nickName',
  'mapping.passwordchanged' = 'passwordChanged',
  'mapping.preferredlanguage' = 'preferredLanguage',
  'mapping.profile_json' = 'profile',
  'mapping.secondemail' = 'secondEmail',
  'mapping.statuschanged' = 'statusChanged',
  'mapping.usertype' = 'userType'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}users/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}users/tenant=${tenant}/dt=${dt}/'
);
