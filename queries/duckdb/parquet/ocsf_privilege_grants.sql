-- Privilege grants, from the OCSF records: activity Assign Privileges of User Access Management
-- (300501: admin roles and app access granted to a user) and Group Management (300601: admin
-- roles granted to a group); one row per privilege granted. The privileges and the group are
-- read from raw.
SELECT tenant, json_extract_string(raw, '$.metadata.original_time') AS granted_at,
       actor_user_name AS granted_by, class_name AS kind,
       coalesce(user_name, json_extract_string(raw, '$.group.name')) AS grantee,
       unnest(json_extract_string(raw, '$.privileges[*]')) AS privilege
FROM system_log_ocsf
WHERE type_uid IN (300501, 300601)
ORDER BY tenant, granted_at, grantee, privilege;
