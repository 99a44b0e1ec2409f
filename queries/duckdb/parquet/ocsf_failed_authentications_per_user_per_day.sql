-- Failed authentications per user and UTC day, from the OCSF records: class Authentication
-- (3002) with status Failure (Okta's FAILURE and DENY), whatever the event type (sign-ins,
-- sign-on policy denials, MFA, SSO).
SELECT tenant, dt AS day, user_name AS "user", count(*) AS failures
FROM system_log_ocsf
WHERE class_uid = 3002 AND status_id = 2
GROUP BY tenant, dt, user_name
ORDER BY tenant, day, failures DESC, "user";
