-- Admin roles that could be scoped to some groups or apps but are not, so they cover the whole
-- org: USER_ADMIN, HELP_DESK_ADMIN and GROUP_MEMBERSHIP_ADMIN take group targets, APP_ADMIN
-- app targets. user_role_targets and group_role_targets hold each assignment twice (one line
-- per kind of target); an assignment is unscoped when neither line has a target.
WITH assignments AS (
  SELECT tenant, 'USER' AS principal_type, user_id AS principal_id, id, type, label,
         coalesce(len(target_group_ids), 0) + coalesce(len(target_app_names), 0) AS targets
  FROM user_role_targets
  UNION ALL
  SELECT tenant, 'GROUP', group_id, id, type, label,
         coalesce(len(target_group_ids), 0) + coalesce(len(target_app_names), 0)
  FROM group_role_targets
),
unscoped AS (
  SELECT tenant, principal_type, principal_id, id, type, label
  FROM assignments
  WHERE type IN ('USER_ADMIN', 'HELP_DESK_ADMIN', 'GROUP_MEMBERSHIP_ADMIN', 'APP_ADMIN')
  GROUP BY ALL
  HAVING sum(targets) = 0
)
SELECT a.tenant, a.principal_type, a.principal_id,
       coalesce(u.login, g.name) AS principal,
       a.type AS role_type, a.label AS role_label, a.id AS assignment_id
FROM unscoped AS a
LEFT JOIN users AS u ON a.principal_type = 'USER' AND u.tenant = a.tenant AND u.id = a.principal_id
LEFT JOIN groups AS g ON a.principal_type = 'GROUP' AND g.tenant = a.tenant AND g.id = a.principal_id
ORDER BY a.tenant, a.principal_type, principal, a.principal_id, role_type, assignment_id;
