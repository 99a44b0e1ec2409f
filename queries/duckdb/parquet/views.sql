-- DuckDB views over the Parquet parts of an okta-ingest output root: one view per resource,
-- holding the same rows as ../views.sql does over gzip NDJSON.
--
-- Set the root first (a folder, or s3://bucket/prefix with DuckDB's httpfs and S3 credentials):
--   SET VARIABLE okta_root = '/tmp/okta-demo';
-- then run this file (CLI: .read queries/duckdb/parquet/views.sql) and query the views.
-- `python3 queries/duckdb/run.py --parquet ROOT` does both and runs the examples of this folder.
--
-- Each view has the resource's typed columns (shared/src/columns.rs, queries/README.md), its
-- parent's id (user_id, group_id, app_id, …) or label (setting), and `raw`, the record as Okta
-- sent it: json_extract_string(raw, '$.profile.title') reaches any field outside the columns.
-- A query that names only typed columns reads only those: a fraction of the bytes of NDJSON.
-- The views pick runs exactly as ../views.sql does (newest complete run per tenant, okta_daily,
-- okta_runs; the System Log once per event), from the same manifests.
-- A resource that has no data at all has no files: its CREATE VIEW fails with "No files found".

SET TimeZone = 'UTC';

CREATE OR REPLACE VIEW okta_manifests AS
SELECT *
FROM read_json(
  getvariable('okta_root') || '/_manifests/*/tenant=*/run=*.json',
  format = 'auto',
  columns = {
    resource: 'VARCHAR', tenant: 'VARCHAR', run_id: 'VARCHAR', status: 'VARCHAR',
    reason: 'VARCHAR', notes: 'VARCHAR[]', records: 'BIGINT',
    parts: 'STRUCT("key" VARCHAR, records BIGINT, bytes BIGINT)[]',
    started_at: 'TIMESTAMPTZ', finished_at: 'TIMESTAMPTZ', lag_seconds: 'BIGINT',
    changes: 'STRUCT(source VARCHAR, base_run VARCHAR, added BIGINT, removed BIGINT, modified BIGINT, attributed BIGINT)',
    refresh: 'STRUCT(mode VARCHAR, reason VARCHAR, base_run VARCHAR, full_run VARCHAR, since TIMESTAMPTZ, "read" BIGINT, carried BIGINT, dropped BIGINT, applied BIGINT, events BIGINT, drift BIGINT)'
  }
);

-- Every Parquet part of a snapshot resource, with tenant, dt and run from the key. Files of
-- different schema versions union by column name.
CREATE OR REPLACE MACRO okta_parts(res) AS TABLE
SELECT *
FROM read_parquet(
  getvariable('okta_root') || '/' || res || '/tenant=*/dt=*/run=*/part-*.parquet',
  union_by_name = true,
  hive_partitioning = true,
  hive_types = {tenant: 'VARCHAR', dt: 'DATE', run: 'VARCHAR'}
);

-- The rows of every complete run.
CREATE OR REPLACE MACRO okta_runs(res) AS TABLE
SELECT p.*
FROM okta_parts(res) AS p
SEMI JOIN okta_manifests AS m
  ON m.resource = res AND m.status = 'complete' AND m.tenant = p.tenant AND m.run_id = p.run;

-- The rows of the newest complete run of each tenant: the current state.
CREATE OR REPLACE MACRO okta_current(res) AS TABLE
SELECT p.*
FROM okta_parts(res) AS p
SEMI JOIN (
  SELECT tenant, max(run_id) AS run_id
  FROM okta_manifests
  WHERE resource = res AND status = 'complete'
  GROUP BY tenant
) AS m ON m.tenant = p.tenant AND m.run_id = p.run;

-- The rows of the newest complete run of each tenant and day (run ids start with the UTC start
-- time, so the day of a run is the dt it was written under).
CREATE OR REPLACE MACRO okta_daily(res) AS TABLE
SELECT p.*
FROM okta_parts(res) AS p
SEMI JOIN (
  SELECT tenant, max(run_id) AS run_id
  FROM okta_manifests
  WHERE resource = res AND status = 'complete'
  GROUP BY tenant, left(run_id, 8)
) AS m ON m.tenant = p.tenant AND m.run_id = p.run;

CREATE OR REPLACE VIEW system_log AS
SELECT *
FROM read_parquet(
  getvariable('okta_root') || '/system_log/tenant=*/dt=*/hour=*/*-part-*.parquet',
  union_by_name = true,
  hive_partitioning = true,
  hive_types = {tenant: 'VARCHAR', dt: 'DATE', hour: 'INTEGER'}
)
QUALIFY row_number() OVER (PARTITION BY tenant, dt, hour, uuid) = 1;

-- system_log_ocsf: the same events in OCSF 1.8.0, each once (by Okta's uuid), with typed
-- columns (class_uid, type_uid, status_id, actor_user_name, user_name, src_ip, …) and raw, the
-- whole OCSF record.
CREATE OR REPLACE VIEW system_log_ocsf AS
SELECT *
FROM read_parquet(
  getvariable('okta_root') || '/system_log_ocsf/tenant=*/dt=*/hour=*/*-part-*.parquet',
  union_by_name = true,
  hive_partitioning = true,
  hive_types = {tenant: 'VARCHAR', dt: 'DATE', hour: 'INTEGER'}
)
QUALIFY row_number() OVER (PARTITION BY tenant, dt, hour, original_event_uid) = 1;

CREATE OR REPLACE VIEW users AS FROM okta_current('users');
CREATE OR REPLACE VIEW user_factors AS FROM okta_current('user_factors');
CREATE OR REPLACE VIEW groups AS FROM okta_current('groups');
CREATE OR REPLACE VIEW group_members AS FROM okta_current('group_members');
CREATE OR REPLACE VIEW group_rules AS FROM okta_current('group_rules');
CREATE OR REPLACE VIEW apps AS FROM okta_current('apps');
CREATE OR REPLACE VIEW app_users AS FROM okta_current('app_users');
CREATE OR REPLACE VIEW app_groups AS FROM okta_current('app_groups');
CREATE OR REPLACE VIEW app_grants AS FROM okta_current('app_grants');
CREATE OR REPLACE VIEW role_assignees AS FROM okta_current('role_assignees');
CREATE OR REPLACE VIEW user_roles AS FROM okta_current('user_roles');
CREATE OR REPLACE VIEW group_roles AS FROM okta_current('group_roles');
CREATE OR REPLACE VIEW custom_roles AS FROM okta_current('custom_roles');
CREATE OR REPLACE VIEW custom_role_permissions AS FROM okta_current('custom_role_permissions');
CREATE OR REPLACE VIEW resource_sets AS FROM okta_current('resource_sets');
CREATE OR REPLACE VIEW policies AS FROM okta_current('policies');
CREATE OR REPLACE VIEW policy_rules AS FROM okta_current('policy_rules');
CREATE OR REPLACE VIEW org AS FROM okta_current('org');
CREATE OR REPLACE VIEW org_settings AS FROM okta_current('org_settings');
CREATE OR REPLACE VIEW org_contacts AS FROM okta_current('org_contacts');
CREATE OR REPLACE VIEW domains AS FROM okta_current('domains');
CREATE OR REPLACE VIEW devices AS FROM okta_current('devices');
CREATE OR REPLACE VIEW idps AS FROM okta_current('idps');
CREATE OR REPLACE VIEW network_zones AS FROM okta_current('network_zones');
CREATE OR REPLACE VIEW threat_insight AS FROM okta_current('threat_insight');
CREATE OR REPLACE VIEW behaviors AS FROM okta_current('behaviors');
CREATE OR REPLACE VIEW api_service_integrations AS FROM okta_current('api_service_integrations');
CREATE OR REPLACE VIEW user_role_targets AS FROM okta_current('user_role_targets');
CREATE OR REPLACE VIEW group_role_targets AS FROM okta_current('group_role_targets');
CREATE OR REPLACE VIEW service_app_roles AS FROM okta_current('service_app_roles');
CREATE OR REPLACE VIEW resource_set_resources AS FROM okta_current('resource_set_resources');
CREATE OR REPLACE VIEW resource_set_bindings AS FROM okta_current('resource_set_bindings');
CREATE OR REPLACE VIEW resource_set_binding_members AS FROM okta_current('resource_set_binding_members');
CREATE OR REPLACE VIEW authorization_servers AS FROM okta_current('authorization_servers');
CREATE OR REPLACE VIEW authorization_server_policies AS FROM okta_current('authorization_server_policies');
CREATE OR REPLACE VIEW authorization_server_policy_rules AS FROM okta_current('authorization_server_policy_rules');
CREATE OR REPLACE VIEW authorization_server_scopes AS FROM okta_current('authorization_server_scopes');
CREATE OR REPLACE VIEW authorization_server_claims AS FROM okta_current('authorization_server_claims');
CREATE OR REPLACE VIEW org_contact_users AS FROM okta_current('org_contact_users');
CREATE OR REPLACE VIEW api_tokens AS FROM okta_current('api_tokens');
CREATE OR REPLACE VIEW authenticators AS FROM okta_current('authenticators');
CREATE OR REPLACE VIEW authenticator_methods AS FROM okta_current('authenticator_methods');
CREATE OR REPLACE VIEW trusted_origins AS FROM okta_current('trusted_origins');
CREATE OR REPLACE VIEW event_hooks AS FROM okta_current('event_hooks');
CREATE OR REPLACE VIEW inline_hooks AS FROM okta_current('inline_hooks');
CREATE OR REPLACE VIEW log_streams AS FROM okta_current('log_streams');

-- The change feed: the changes of every complete comparison (its manifest, resource 'changes',
-- one per run and compared resource, says complete), with tenant, dt and run from the key.
-- Typed columns (kind, severity, actor_login, published, …) and raw, the whole change record.
CREATE OR REPLACE VIEW changes AS
SELECT c.*
FROM read_parquet(
  getvariable('okta_root') || '/changes/tenant=*/dt=*/run=*/*-part-*.parquet',
  union_by_name = true,
  hive_partitioning = true,
  hive_types = {tenant: 'VARCHAR', dt: 'DATE', run: 'VARCHAR'}
) AS c
SEMI JOIN okta_manifests AS m
  ON m.resource = 'changes' AND m.status = 'complete' AND m.tenant = c.tenant
  AND m.run_id = c.run AND m.changes.source = c.resource;
