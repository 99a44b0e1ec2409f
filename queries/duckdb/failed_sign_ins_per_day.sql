-- Failed sign-ins per UTC day: user.session.start events whose outcome is FAILURE.
SELECT tenant, dt AS day, count(*) AS failed_sign_ins,
       count(DISTINCT actor.alternateId) AS users
FROM system_log
WHERE eventType = 'user.session.start' AND outcome.result = 'FAILURE'
GROUP BY tenant, dt
ORDER BY tenant, day;
