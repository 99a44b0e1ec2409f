-- OAuth service apps holding admin roles: they act without a user, so no sign-on policy or
-- MFA stands between their credentials and the role.
SELECT r.tenant, a.id AS app_id, a.label AS app, r.clientId AS client_id,
       r.type AS role_type, r.label AS role_label, r.status AS role_status
FROM service_app_roles AS r
LEFT JOIN apps AS a ON a.tenant = r.tenant AND a.credentials.oauthClient.client_id = r.clientId
ORDER BY r.tenant, app, client_id, role_type;
