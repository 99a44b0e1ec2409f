-- Example queries for Athena (engine version 3) over the tables of ddl/, for one tenant.
-- Render first (queries/athena/render.sh s3://bucket/prefix examples.sql) and replace 'demo'
-- with your tenant id: tenant is an injected partition, so every table needs tenant = '…'.
--
-- A snapshot is trusted only when its manifest says complete; the current state is the newest
-- complete run. Each query picks that run from the manifests table and keeps the rows whose
-- "$path" holds it. The dt filter keeps Athena from listing every day since projection.dt.range
-- begins: the last 7 days here. If a resource has had no complete run in 7 days, widen it (the
-- manifests say why the runs were not complete).
-- Each query starts with a "-- name:" line; scripts/query_check.py runs them (translated to
-- DuckDB) against the demo output and compares the answers.

-- name: users_by_status
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource IN ('users') AND status = 'complete'
  GROUP BY resource
),
users AS (
  SELECT u.*
  FROM ${database}.users AS u
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(u."$path", '/run=([^/]+)/', 1)
  WHERE u.tenant = 'demo' AND u.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT status, count(*) AS users
FROM users
GROUP BY status
ORDER BY users DESC, status;

-- name: active_users_without_mfa
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource IN ('users', 'user_factors') AND status = 'complete'
  GROUP BY resource
),
users AS (
  SELECT u.*
  FROM ${database}.users AS u
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(u."$path", '/run=([^/]+)/', 1)
  WHERE u.tenant = 'demo' AND u.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
user_factors AS (
  SELECT f.*
  FROM ${database}.user_factors AS f
  JOIN runs AS r ON r.resource = 'user_factors' AND r.run_id = regexp_extract(f."$path", '/run=([^/]+)/', 1)
  WHERE f.tenant = 'demo' AND f.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT u.id AS user_id, u.profile.login AS login, u.profile.displayname AS display_name
FROM users AS u
WHERE u.status = 'ACTIVE'
  AND NOT EXISTS (
    SELECT 1 FROM user_factors AS f WHERE f.userid = u.id AND f.status = 'ACTIVE'
  )
ORDER BY login, user_id;

-- name: admin_roles
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('users', 'groups', 'group_members', 'user_roles', 'group_roles')
  GROUP BY resource
),
users AS (
  SELECT t.*
  FROM ${database}.users AS t
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
groups AS (
  SELECT t.*
  FROM ${database}.groups AS t
  JOIN runs AS r ON r.resource = 'groups' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
group_members AS (
  SELECT t.*
  FROM ${database}.group_members AS t
  JOIN runs AS r ON r.resource = 'group_members' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
user_roles AS (
  SELECT t.*
  FROM ${database}.user_roles AS t
  JOIN runs AS r ON r.resource = 'user_roles' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
group_roles AS (
  SELECT t.*
  FROM ${database}.group_roles AS t
  JOIN runs AS r ON r.resource = 'group_roles' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT 'USER' AS principal_type, r.userid AS principal_id, u.profile.login AS principal,
       r.type AS role_type, r.label AS role_label, 'direct' AS granted_via
FROM user_roles AS r
LEFT JOIN users AS u ON u.id = r.userid
UNION ALL
SELECT 'GROUP', r.groupid, g.profile.name, r.type, r.label, 'direct'
FROM group_roles AS r
LEFT JOIN groups AS g ON g.id = r.groupid
UNION ALL
SELECT 'USER', m.id, m.profile.login, r.type, r.label, 'group ' || coalesce(g.profile.name, r.groupid)
FROM group_roles AS r
JOIN group_members AS m ON m.groupid = r.groupid
LEFT JOIN groups AS g ON g.id = r.groupid
ORDER BY principal_type, principal, principal_id, role_type, granted_via;

-- name: top_apps_by_users
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource IN ('apps', 'app_users') AND status = 'complete'
  GROUP BY resource
),
apps AS (
  SELECT t.*
  FROM ${database}.apps AS t
  JOIN runs AS r ON r.resource = 'apps' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
app_users AS (
  SELECT t.*
  FROM ${database}.app_users AS t
  JOIN runs AS r ON r.resource = 'app_users' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT a.appid AS app_id, p.label AS app, p.status AS app_status, count(DISTINCT a.id) AS users
FROM app_users AS a
LEFT JOIN apps AS p ON p.id = a.appid
GROUP BY a.appid, p.label, p.status
ORDER BY users DESC, app, app_id
LIMIT 10;

-- name: failed_sign_ins_per_day
-- count(DISTINCT uuid): an event a backfill landed twice counts once.
SELECT dt AS day, count(DISTINCT uuid) AS failed_sign_ins,
       count(DISTINCT actor.alternateid) AS users
FROM ${database}.system_log
WHERE tenant = 'demo' AND dt >= CAST(current_date - INTERVAL '30' DAY AS varchar)
  AND eventtype = 'user.session.start' AND outcome.result = 'FAILURE'
GROUP BY dt
ORDER BY day;

-- name: admin_grants_last_7_days
-- The change feed: a comparison is trusted only when its manifest (resource 'changes', one per
-- run and compared resource) says complete.
WITH compared AS (
  SELECT run_id, changes.source AS source
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource = 'changes' AND status = 'complete'
),
changes AS (
  SELECT c.*
  FROM ${database}.changes AS c
  JOIN compared AS m
    ON m.source = c.resource AND m.run_id = regexp_extract(c."$path", '/run=([^/]+)/', 1)
  WHERE c.tenant = 'demo' AND c.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT
  kind,
  severity,
  "key",
  json_extract_scalar(object, '$.type') AS role,
  cause.actor.alternate_id AS granted_by,
  cause.client_ip AS from_ip,
  from_iso8601_timestamp(cause.published) AS granted_at
FROM changes
WHERE kind IN ('admin_role.granted', 'admin_role.granted_to_group')
  AND from_iso8601_timestamp(coalesce(cause.published, window_end)) >= current_timestamp - INTERVAL '7' DAY
ORDER BY granted_at DESC NULLS LAST, "key";

-- name: users_who_lost_their_last_mfa_factor
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource IN ('users', 'user_factors') AND status = 'complete'
  GROUP BY resource
),
compared AS (
  SELECT run_id, changes.source AS source
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND resource = 'changes' AND status = 'complete'
),
users AS (
  SELECT u.*
  FROM ${database}.users AS u
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(u."$path", '/run=([^/]+)/', 1)
  WHERE u.tenant = 'demo' AND u.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
user_factors AS (
  SELECT f.*
  FROM ${database}.user_factors AS f
  JOIN runs AS r ON r.resource = 'user_factors' AND r.run_id = regexp_extract(f."$path", '/run=([^/]+)/', 1)
  WHERE f.tenant = 'demo' AND f.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
removals AS (
  SELECT c.*
  FROM ${database}.changes AS c
  JOIN compared AS m
    ON m.source = c.resource AND m.run_id = regexp_extract(c."$path", '/run=([^/]+)/', 1)
  WHERE c.tenant = 'demo' AND c.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
    AND c.kind = 'mfa.factor_removed'
)
SELECT
  c.parent_id AS user_id,
  u.profile.login AS login,
  max(from_iso8601_timestamp(c.cause.published)) AS last_removed_at,
  max_by(c.cause.actor.alternate_id, c.cause.published) AS removed_by
FROM removals AS c
JOIN users AS u ON u.id = c.parent_id
WHERE u.status <> 'DEPROVISIONED'
  AND NOT EXISTS (
    SELECT 1 FROM user_factors AS f WHERE f.userid = c.parent_id AND f.status = 'ACTIVE'
  )
GROUP BY c.parent_id, u.profile.login
ORDER BY login;

-- name: ocsf_failed_authentications_per_user_per_day
-- From the OCSF table: Authentication (3002) with status Failure (Okta's FAILURE and DENY).
-- count(DISTINCT metadata.original_event_uid): an event a backfill landed twice counts once.
SELECT dt AS day, "user".name AS "user", count(DISTINCT metadata.original_event_uid) AS failures
FROM ${database}.system_log_ocsf
WHERE tenant = 'demo' AND dt >= CAST(current_date - INTERVAL '30' DAY AS varchar)
  AND class_uid = 3002 AND status_id = 2
GROUP BY dt, "user".name
ORDER BY day, failures DESC, "user";

-- name: ocsf_privilege_grants
-- From the OCSF table: Assign Privileges of User Access Management (300501: admin roles and app
-- access granted to a user) and Group Management (300601: admin roles granted to a group), one
-- row per privilege; each event once (by Okta's uuid).
WITH grants AS (
  SELECT t.*, row_number() OVER (PARTITION BY t.metadata.original_event_uid) AS copy
  FROM ${database}.system_log_ocsf AS t
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '30' DAY AS varchar)
    AND t.type_uid IN (300501, 300601)
)
SELECT g.metadata.original_time AS granted_at, g.actor."user".name AS granted_by,
       g.class_name AS kind, coalesce(g."user".name, g."group".name) AS grantee, p.privilege
FROM grants AS g
CROSS JOIN UNNEST(g.privileges) AS p (privilege)
WHERE g.copy = 1
ORDER BY granted_at, grantee, privilege;

-- name: api_tokens_at_risk
-- API tokens whose owner is deactivated or holds the super admin role (directly or through a
-- group): one row per token and reason.
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('api_tokens', 'users', 'user_roles', 'group_roles', 'group_members')
  GROUP BY resource
),
api_tokens AS (
  SELECT t.*
  FROM ${database}.api_tokens AS t
  JOIN runs AS r ON r.resource = 'api_tokens' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
users AS (
  SELECT t.*
  FROM ${database}.users AS t
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
user_roles AS (
  SELECT t.*
  FROM ${database}.user_roles AS t
  JOIN runs AS r ON r.resource = 'user_roles' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
group_roles AS (
  SELECT t.*
  FROM ${database}.group_roles AS t
  JOIN runs AS r ON r.resource = 'group_roles' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
group_members AS (
  SELECT t.*
  FROM ${database}.group_members AS t
  JOIN runs AS r ON r.resource = 'group_members' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
super_admins AS (
  SELECT userid AS user_id FROM user_roles WHERE type = 'SUPER_ADMIN'
  UNION
  SELECT m.id FROM group_roles AS r JOIN group_members AS m ON m.groupid = r.groupid
  WHERE r.type = 'SUPER_ADMIN'
),
findings AS (
  SELECT k.id AS token_id, 'owner deactivated' AS risk
  FROM api_tokens AS k JOIN users AS u ON u.id = k.userid
  WHERE u.status = 'DEPROVISIONED'
  UNION ALL
  SELECT k.id, 'owner is a super admin'
  FROM api_tokens AS k
  WHERE k.userid IN (SELECT user_id FROM super_admins)
)
SELECT k.id AS token_id, k.name AS token_name, k.userid AS owner_id, u.profile.login AS owner_login,
       f.risk, json_extract_scalar(k.network, '$.connection') AS network
FROM findings AS f
JOIN api_tokens AS k ON k.id = f.token_id
LEFT JOIN users AS u ON u.id = k.userid
ORDER BY token_name, token_id, risk;

-- name: service_apps_with_admin_roles
-- OAuth service apps holding admin roles.
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('service_app_roles', 'apps')
  GROUP BY resource
),
service_app_roles AS (
  SELECT t.*
  FROM ${database}.service_app_roles AS t
  JOIN runs AS r ON r.resource = 'service_app_roles' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
apps AS (
  SELECT t.*
  FROM ${database}.apps AS t
  JOIN runs AS r ON r.resource = 'apps' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT a.id AS app_id, a.label AS app, r.clientid AS client_id, r.type AS role_type,
       r.label AS role_label, r.status AS role_status
FROM service_app_roles AS r
LEFT JOIN apps AS a ON json_extract_scalar(a.credentials, '$.oauthClient.client_id') = r.clientid
ORDER BY app, client_id, role_type;

-- name: admin_roles_without_targets
-- Roles that take targets (groups for USER_ADMIN, HELP_DESK_ADMIN, GROUP_MEMBERSHIP_ADMIN; apps
-- for APP_ADMIN) but have none, so they cover the whole org. Each assignment has two lines, one
-- per kind of target; _embedded is the JSON text of the embedded targets.
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('user_role_targets', 'group_role_targets', 'users', 'groups')
  GROUP BY resource
),
user_role_targets AS (
  SELECT t.*
  FROM ${database}.user_role_targets AS t
  JOIN runs AS r ON r.resource = 'user_role_targets' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
group_role_targets AS (
  SELECT t.*
  FROM ${database}.group_role_targets AS t
  JOIN runs AS r ON r.resource = 'group_role_targets' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
users AS (
  SELECT t.*
  FROM ${database}.users AS t
  JOIN runs AS r ON r.resource = 'users' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
groups AS (
  SELECT t.*
  FROM ${database}.groups AS t
  JOIN runs AS r ON r.resource = 'groups' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
assignments AS (
  SELECT 'USER' AS principal_type, userid AS principal_id, id, type, label,
         coalesce(json_array_length(json_extract("_embedded", '$.targets.groups')), 0)
           + coalesce(json_array_length(json_extract("_embedded", '$.targets.catalog.apps')), 0) AS targets
  FROM user_role_targets
  UNION ALL
  SELECT 'GROUP', groupid, id, type, label,
         coalesce(json_array_length(json_extract("_embedded", '$.targets.groups')), 0)
           + coalesce(json_array_length(json_extract("_embedded", '$.targets.catalog.apps')), 0)
  FROM group_role_targets
),
unscoped AS (
  SELECT principal_type, principal_id, id, type, label
  FROM assignments
  WHERE type IN ('USER_ADMIN', 'HELP_DESK_ADMIN', 'GROUP_MEMBERSHIP_ADMIN', 'APP_ADMIN')
  GROUP BY principal_type, principal_id, id, type, label
  HAVING sum(targets) = 0
)
SELECT a.principal_type, a.principal_id, coalesce(u.profile.login, g.profile.name) AS principal,
       a.type AS role_type, a.label AS role_label, a.id AS assignment_id
FROM unscoped AS a
LEFT JOIN users AS u ON a.principal_type = 'USER' AND u.id = a.principal_id
LEFT JOIN groups AS g ON a.principal_type = 'GROUP' AND g.id = a.principal_id
ORDER BY a.principal_type, principal, a.principal_id, role_type, assignment_id;

-- name: outbound_destinations
-- Where event hooks, inline hooks and log streams send data, and which destinations are not
-- HTTPS or not on the allow-list (edit `allowed`: host suffixes and AWS accounts).
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('event_hooks', 'inline_hooks', 'log_streams')
  GROUP BY resource
),
event_hooks AS (
  SELECT t.*
  FROM ${database}.event_hooks AS t
  JOIN runs AS r ON r.resource = 'event_hooks' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
inline_hooks AS (
  SELECT t.*
  FROM ${database}.inline_hooks AS t
  JOIN runs AS r ON r.resource = 'inline_hooks' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
log_streams AS (
  SELECT t.*
  FROM ${database}.log_streams AS t
  JOIN runs AS r ON r.resource = 'log_streams' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
allowed(entry) AS (
  VALUES ('acme-corp.example'), ('splunkcloud.com'), ('aws:123456789012')
),
destinations AS (
  SELECT 'event_hook' AS kind, id, name, status,
         json_extract_scalar(channel, '$.config.uri') AS destination
  FROM event_hooks
  UNION ALL
  SELECT 'inline_hook', id, name, status, json_extract_scalar(channel, '$.config.uri')
  FROM inline_hooks
  UNION ALL
  SELECT 'log_stream', id, name, status,
         CASE type
           WHEN 'splunk_cloud_logstreaming' THEN 'https://' || json_extract_scalar(settings, '$.host')
           ELSE 'aws:' || json_extract_scalar(settings, '$.accountId')
         END
  FROM log_streams
),
judged AS (
  SELECT d.*,
         d.destination LIKE 'aws:%' OR lower(d.destination) LIKE 'https://%' AS https,
         EXISTS (
           SELECT 1 FROM allowed AS a
           WHERE d.destination = a.entry
              OR lower(regexp_extract(d.destination, '^[a-zA-Z]+://([^/:]+)', 1)) = a.entry
              OR lower(regexp_extract(d.destination, '^[a-zA-Z]+://([^/:]+)', 1)) LIKE '%.' || a.entry
         ) AS listed
  FROM destinations AS d
)
SELECT kind, id, name, status, destination,
       concat_ws(', ', CASE WHEN NOT https THEN 'not https' END,
                       CASE WHEN NOT listed THEN 'not on the allow-list' END) AS finding
FROM judged
WHERE NOT https OR NOT listed
ORDER BY kind, name, id;

-- name: trusted_origins_with_wildcards
-- Trusted origins with a wildcard, and what they are trusted for.
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('trusted_origins')
  GROUP BY resource
),
trusted_origins AS (
  SELECT t.*
  FROM ${database}.trusted_origins AS t
  JOIN runs AS r ON r.resource = 'trusted_origins' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT id, name, origin, status, array_join(array_sort(transform(scopes, s -> s.type)), ',') AS scopes
FROM trusted_origins
WHERE strpos(origin, '*') > 0
ORDER BY origin, id;

-- name: auth_server_policies_for_all_clients
-- Authorization server access policies that apply to every client (ALL_CLIENTS).
WITH runs AS (
  SELECT resource, max(run_id) AS run_id
  FROM ${database}.manifests
  WHERE tenant = 'demo' AND status = 'complete'
    AND resource IN ('authorization_server_policies', 'authorization_servers')
  GROUP BY resource
),
authorization_server_policies AS (
  SELECT t.*
  FROM ${database}.authorization_server_policies AS t
  JOIN runs AS r ON r.resource = 'authorization_server_policies' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
),
authorization_servers AS (
  SELECT t.*
  FROM ${database}.authorization_servers AS t
  JOIN runs AS r ON r.resource = 'authorization_servers' AND r.run_id = regexp_extract(t."$path", '/run=([^/]+)/', 1)
  WHERE t.tenant = 'demo' AND t.dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)
)
SELECT p.authserverid AS server_id, s.name AS server, p.id AS policy_id, p.name AS policy,
       p.status AS policy_status, p.priority
FROM authorization_server_policies AS p
LEFT JOIN authorization_servers AS s ON s.id = p.authserverid
WHERE contains(CAST(json_extract(p.conditions, '$.clients.include') AS array(varchar)), 'ALL_CLIENTS')
ORDER BY server, p.priority, policy_id;
