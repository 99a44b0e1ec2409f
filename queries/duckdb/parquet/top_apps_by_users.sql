-- The 10 apps assigned to the most users in each tenant (directly or through a group).
SELECT a.tenant, a.app_id, p.label AS app, p.status AS app_status,
       count(DISTINCT a.id) AS users
FROM app_users AS a
LEFT JOIN apps AS p ON p.tenant = a.tenant AND p.id = a.app_id
GROUP BY a.tenant, a.app_id, p.label, p.status
QUALIFY row_number() OVER (PARTITION BY a.tenant ORDER BY users DESC, app, app_id) <= 10
ORDER BY a.tenant, users DESC, app, a.app_id;
