-- devices: Devices with their users (GET /api/v1/devices?expand=user; Identity Engine).
-- Files: devices/tenant=…/dt=…/run=…/part-NNNNN.json.gz. A dt partition holds every run of that day;
-- the run is in "$path" (see queries/README.md: read the newest complete run).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md for the choices.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`devices` (
  `_embedded`           string,
  `_links`              string,
  `id`                  string,
  `status`              string,
  `created`             string,
  `lastUpdated`         string,
  `resourceId`          string,
  `resourceType`        string,
  `resourceAlternateId` string,
  `resourceDisplayName` struct<value:string,sensitive:boolean>,
  `profile`             struct<
    displayName:string,
    platform:string,
    manufacturer:string,
    model:string,
    osVersion:string,
    serialNumber:string,
    udid:string,
    sid:string,
    imei:string,
    registered:boolean,
    secureHardwarePresent:boolean,
    diskEncryptionType:string,
    integrityJailbreak:boolean,
    tpmPublicKeyHash:string>
)
PARTITIONED BY (`tenant` string, `dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive' = 'false',
  'mapping.diskencryptiontype' = 'diskEncryptionType',
  'mapping.displayname' = 'displayName',
  'mapping.integrityjailbreak' = 'integrityJailbreak',
  'mapping.lastupdated' = 'lastUpdated',
  'mapping.osversion' = 'osVersion',
  'mapping.resourcealternateid' = 'resourceAlternateId',
  'mapping.resourcedisplayname' = 'resourceDisplayName',
  'mapping.resourceid' = 'resourceId',
  'mapping.resourcetype' = 'resourceType',
  'mapping.securehardwarepresent' = 'secureHardwarePresent',
  'mapping.serialnumber' = 'serialNumber',
  'mapping.tpmpublickeyhash' = 'tpmPublicKeyHash'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}devices/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.tenant.type' = 'injected',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${bucket}/${prefix}devices/tenant=${tenant}/dt=${dt}/'
);
