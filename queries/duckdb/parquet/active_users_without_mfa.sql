-- ACTIVE users without an ACTIVE factor (none enrolled, or all pending or inactive).
SELECT u.tenant, u.id AS user_id, u.login, u.display_name
FROM users AS u
WHERE u.status = 'ACTIVE'
  AND NOT EXISTS (
    SELECT 1
    FROM user_factors AS f
    WHERE f.tenant = u.tenant AND f.user_id = u.id AND f.status = 'ACTIVE'
  )
ORDER BY u.tenant, u.login, user_id;
