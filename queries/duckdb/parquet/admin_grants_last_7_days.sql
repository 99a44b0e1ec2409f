-- Admin roles granted in the last 7 days, to users and to groups, with who granted them.
SELECT
  tenant,
  kind,
  severity,
  key,
  json_extract_string(raw, '$.object.type') AS role,
  actor_login AS granted_by,
  client_ip AS from_ip,
  published AS granted_at
FROM changes
WHERE kind IN ('admin_role.granted', 'admin_role.granted_to_group')
  AND coalesce(published, window_end) >= now() - INTERVAL 7 DAY
ORDER BY tenant, granted_at DESC NULLS LAST, key;
