-- Failed sign-ins per UTC day: user.session.start events whose outcome is FAILURE.
SELECT tenant, dt AS day, count(*) AS failed_sign_ins,
       count(DISTINCT actor_alternate_id) AS users
FROM system_log
WHERE event_type = 'user.session.start' AND outcome_result = 'FAILURE'
GROUP BY tenant, dt
ORDER BY tenant, day;
