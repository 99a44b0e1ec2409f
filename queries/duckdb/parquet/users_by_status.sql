-- Users by status: the newest complete users snapshot of each tenant.
SELECT tenant, status, count(*) AS users
FROM users
GROUP BY tenant, status
ORDER BY tenant, users DESC, status;
