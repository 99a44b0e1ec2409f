-- Trusted origins with a wildcard: every host it matches may receive redirects, make CORS
-- calls or embed Okta, as its scopes say.
SELECT tenant, id, name, origin, status,
       array_to_string(list_sort(scope_types), ',') AS scopes
FROM trusted_origins
WHERE strpos(origin, '*') > 0
ORDER BY tenant, origin, id;
