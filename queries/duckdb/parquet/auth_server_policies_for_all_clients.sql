-- Access policies of authorization servers that apply to every client (ALL_CLIENTS): any app
-- of the org may ask that server for tokens under the policy's rules.
SELECT p.tenant, p.auth_server_id AS server_id, s.name AS server, p.id AS policy_id,
       p.name AS policy, p.status AS policy_status, p.priority
FROM authorization_server_policies AS p
LEFT JOIN authorization_servers AS s ON s.tenant = p.tenant AND s.id = p.auth_server_id
WHERE list_contains(p.clients_included, 'ALL_CLIENTS')
ORDER BY p.tenant, server, p.priority, policy_id;
