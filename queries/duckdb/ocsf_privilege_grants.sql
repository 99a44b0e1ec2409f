-- Privilege grants, from the OCSF records: activity Assign Privileges of User Access Management
-- (300501: admin roles and app access granted to a user) and Group Management (300601: admin
-- roles granted to a group); one row per privilege granted.
SELECT tenant, strftime(metadata.original_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS granted_at,
       actor."user".name AS granted_by, class_name AS kind,
       coalesce("user".name, "group".name) AS grantee, unnest(privileges) AS privilege
FROM system_log_ocsf
WHERE type_uid IN (300501, 300601)
ORDER BY tenant, granted_at, grantee, privilege;
