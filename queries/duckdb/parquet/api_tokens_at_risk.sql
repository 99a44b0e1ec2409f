-- API tokens whose owner is deactivated (DEPROVISIONED) or holds the super admin role, directly
-- or through a group: a token acts with its owner's rights and outlives their departure. One
-- row per token and reason; network says whether the token is bound to a network zone.
WITH super_admins AS (
  SELECT tenant, user_id FROM user_roles WHERE type = 'SUPER_ADMIN'
  UNION
  SELECT m.tenant, m.id
  FROM group_roles AS r
  JOIN group_members AS m ON m.tenant = r.tenant AND m.group_id = r.group_id
  WHERE r.type = 'SUPER_ADMIN'
),
findings AS (
  SELECT t.tenant, t.id AS token_id, t.name AS token_name, t.user_id AS owner_id,
         'owner deactivated' AS risk
  FROM api_tokens AS t
  JOIN users AS u ON u.tenant = t.tenant AND u.id = t.user_id
  WHERE u.status = 'DEPROVISIONED'
  UNION ALL
  SELECT t.tenant, t.id, t.name, t.user_id, 'owner is a super admin'
  FROM api_tokens AS t
  SEMI JOIN super_admins AS s ON s.tenant = t.tenant AND s.user_id = t.user_id
)
SELECT f.tenant, f.token_id, f.token_name, f.owner_id, u.login AS owner_login,
       f.risk, t.network_connection AS network
FROM findings AS f
JOIN api_tokens AS t ON t.tenant = f.tenant AND t.id = f.token_id
LEFT JOIN users AS u ON u.tenant = f.tenant AND u.id = f.owner_id
ORDER BY f.tenant, f.token_name, f.token_id, f.risk;
