-- Users still active whose last MFA factor was removed: a factor removal in the change feed,
-- and no active factor in the current snapshot.
SELECT
  c.tenant,
  c.parent_id AS user_id,
  u.login,
  max(c.published) AS last_removed_at,
  arg_max(c.actor_login, c.published) AS removed_by
FROM changes AS c
JOIN users AS u ON u.tenant = c.tenant AND u.id = c.parent_id
WHERE c.kind = 'mfa.factor_removed'
  AND u.status <> 'DEPROVISIONED'
  AND NOT EXISTS (
    SELECT 1 FROM user_factors AS f
    WHERE f.tenant = c.tenant AND f.user_id = c.parent_id AND f.status = 'ACTIVE'
  )
GROUP BY ALL
ORDER BY c.tenant, u.login;
