-- Who holds admin roles: users with a role of their own (user_roles, read for each user that
-- role_assignees lists), groups with a role (group_roles), and the members of those groups, who
-- hold the group's roles too.
WITH direct_users AS (
  SELECT r.tenant, 'USER' AS principal_type, r.user_id AS principal_id,
         u.login AS principal, r.type AS role_type, r.label AS role_label,
         'direct' AS granted_via
  FROM user_roles AS r
  LEFT JOIN users AS u ON u.tenant = r.tenant AND u.id = r.user_id
),
role_groups AS (
  SELECT r.tenant, 'GROUP' AS principal_type, r.group_id AS principal_id,
         g.name AS principal, r.type AS role_type, r.label AS role_label,
         'direct' AS granted_via
  FROM group_roles AS r
  LEFT JOIN groups AS g ON g.tenant = r.tenant AND g.id = r.group_id
),
group_users AS (
  SELECT r.tenant, 'USER' AS principal_type, m.id AS principal_id,
         m.login AS principal, r.type AS role_type, r.label AS role_label,
         'group ' || coalesce(g.name, r.group_id) AS granted_via
  FROM group_roles AS r
  JOIN group_members AS m ON m.tenant = r.tenant AND m.group_id = r.group_id
  LEFT JOIN groups AS g ON g.tenant = r.tenant AND g.id = r.group_id
)
SELECT * FROM direct_users
UNION ALL SELECT * FROM role_groups
UNION ALL SELECT * FROM group_users
ORDER BY tenant, principal_type, principal, principal_id, role_type, granted_via;
