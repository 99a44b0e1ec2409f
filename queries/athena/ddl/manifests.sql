-- manifests: one row per run and resource, from _manifests/{resource}/tenant=…/run=….json.
-- This is how a reader finds the snapshot to trust: the newest run_id whose status is 'complete'.
-- The manifests are pretty-printed JSON objects (one per file, over many lines), which the OpenX
-- and Hive JSON SerDes cannot read (they want one object per line); the Amazon Ion SerDe reads
-- JSON as Ion text and does not need one object per line.
-- resource is an enum partition (every resource name, and changes); tenant is injected like everywhere else.
-- The body also holds resource and tenant; they are not declared again (partition columns win).
-- Placeholders ${bucket}, ${prefix}, ${database}: fill with queries/athena/render.sh. See queries/README.md.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`manifests` (
  `run_id`      string,
  `status`      string,
  `reason`      string COMMENT 'only when not complete, not in the demo data',
  `notes`       array<string>,
  `excluded`    array<struct<id:string,status:int,error_code:string,error_id:string,reason:string>> COMMENT 'parents Okta refuses to serve (the built-in admins group, objects outside a scoped role): the resource is still complete',
  `unread`      array<struct<id:string,status:int,error_code:string,error_id:string,error_causes:array<string>,reason:string>> COMMENT 'parents not read for a passing reason, so the resource is partial; not in the demo data',
  `records`     bigint,
  `parts`       array<struct<key:string,records:bigint,bytes:bigint>>,
  `requests`    struct<requests:bigint,retries:bigint,rate_limited:bigint>,
  `lag_seconds` bigint,
  `changes`     struct<source:string,base_run:string,window_start:string,window_end:string,added:bigint,removed:bigint,modified:bigint,attributed:bigint> COMMENT 'the change feed only (resource changes, one per run and compared resource)',
  `refresh`     struct<mode:string,reason:string,base_run:string,full_run:string,since:string,read:bigint,carried:bigint,dropped:bigint,applied:bigint,events:bigint,drift:bigint,drift_examples:array<string>> COMMENT 'snapshots of users, groups and apps: full or incremental, what it was merged with, what was read and carried; refresh.drift and refresh.drift_examples only on a reconciliation, not in the demo',
  `started_at`  string,
  `finished_at` string
)
PARTITIONED BY (`resource` string, `tenant` string)
ROW FORMAT SERDE 'com.amazon.ionhiveserde.IonHiveSerDe'
STORED AS INPUTFORMAT 'com.amazon.ionhiveserde.formats.IonInputFormat'
  OUTPUTFORMAT 'com.amazon.ionhiveserde.formats.IonOutputFormat'
LOCATION 's3://${bucket}/${prefix}_manifests/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.resource.type' = 'enum',
  'projection.resource.values' = 'users,user_factors,groups,group_members,group_rules,apps,app_users,app_groups,app_grants,api_service_integrations,role_assignees,user_roles,user_role_targets,group_roles,group_role_targets,service_app_roles,custom_roles,custom_role_permissions,resource_sets,resource_set_resources,resource_set_bindings,resource_set_binding_members,policies,policy_rules,authorization_servers,authorization_server_policies,authorization_server_policy_rules,authorization_server_scopes,authorization_server_claims,org,org_settings,org_contacts,org_contact_users,domains,devices,idps,network_zones,threat_insight,behaviors,api_tokens,authenticators,authenticator_methods,trusted_origins,event_hooks,inline_hooks,log_streams,system_log,system_log_ocsf,changes',
  'projection.tenant.type' = 'injected',
  'storage.location.template' = 's3://${bucket}/${prefix}_manifests/${resource}/tenant=${tenant}/'
);
