-- system_log: System Log events (GET /api/v1/logs), partitioned by each event's own published time.
-- Files: system_log/tenant=…/dt=…/hour=…/{run}-part-NNNNN.json.gz (UTC date and hour of published).
-- A backfill that overlaps live ingestion lands some events twice: count DISTINCT uuid.
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`system_log` (
  `uuid`                  string,
  `published`             string,
  `eventType`             string,
  `version`               string,
  `severity`              string,
  `legacyEventType`       string,
  `displayMessage`        string,
  `actor`                 struct<
    id:string,
    type:string,
    alternateId:string,
    displayName:string,
    detailEntry:string>,
  `client`                struct<
    userAgent:struct<rawUserAgent:string,os:string,browser:string>,
    zone:string,
    device:string,
    id:string,
    ipAddress:string,
    geographicalContext:struct<city:string,state:string,country:string,postalCode:string,geolocation:struct<lat:double,lon:double>>>,
  `device`                string,
  `authenticationContext` struct<
    authenticationProvider:string,
    credentialProvider:string,
    credentialType:string,
    issuer:string,
    interface:string,
    authenticationStep:int,
    rootSessionId:string,
    externalSessionId:string>,
  `outcome`               struct<result:string,reason:string>,
  `securityContext`       struct<
    asNumber:bigint,
    asOrg:string,
    isp:string,
    domain:string,
    isProxy:boolean>,
  `debugContext`          struct<debugData:map<string,string>>,
  `transaction`           struct<type:string,id:string,detail:string>,
  `request`               string,
  `target`                array<struct<id:string,type:string,alternateId:string,displayName:string,detailEntry:string>>
)
PARTITIONED BY (`tenant` string, `dt` string, `hour` int)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.alternateid' = 'alternateId',
  'mapping.asnumber' = 'asNumber',
  'mapping.asorg' = 'asOrg',
  'mapping.authenticationcontext' = 'authenticationContext',
  'mapping.authenticationprovider' = 'authenticationProvider',
  'mapping.authenticationstep' = 'authenticationStep',
  'mapping.credentialprovider' = 'credentialProvider',
  'mapping.credentialtype' = 'credentialType',
  'mapping.debugcontext' = 'debugContext',
  'mapping.debugdata' = 'debugData',
  'mapping.detailentry' = 'detailEntry',
  'mapping.displaymessage' = 'displayMessage',
  'mapping.displayname' = 'displayName',
  'mapping.eventtype' = 'eventType',
  'mapping.externalsessionid' = 'externalSessionId',
  'mapping.geographicalcontext' = 'geographicalContext',
  'mapping.ipaddress' = 'ipAddress',
  'mapping.isproxy' = 'isProxy',
  'mapping.legacyeventtype' = 'legacyEventType',
  'mapping.postalcode' = 'postalCode',
  'mapping.rawuseragent' = 'rawUserAgent',
  'mapping.rootsessionid' = 'rootSessionId',
  'mapping.securitycontext' = 'securityContext',
  'mapping.useragent' = 'userAgent'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}system_log/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://${bucket}/${prefix}system_log/tenant=${tenant}/dt=${dt}/hour=${hour}/'
);
