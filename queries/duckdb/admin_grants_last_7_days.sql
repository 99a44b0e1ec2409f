-- Admin roles granted in the last 7 days, to users and to groups, with who granted them.
SELECT
  tenant,
  kind,
  severity,
  key,
  json_extract_string(object, '$.type') AS role,
  cause.actor.alternate_id AS granted_by,
  cause.client_ip AS from_ip,
  cause.published AS granted_at
FROM changes
WHERE kind IN ('admin_role.granted', 'admin_role.granted_to_group')
  AND coalesce(cause.published, window_end) >= now() - INTERVAL 7 DAY
ORDER BY tenant, granted_at DESC NULLS LAST, key;
