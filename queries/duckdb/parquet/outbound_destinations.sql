-- Where event hooks, inline hooks and log streams send data out of the org, and which of those
-- destinations are not HTTPS or not on the allow-list. Edit `allowed` to your own list: host
-- suffixes (a host matches its own name and any name below it) and AWS accounts, which an
-- EventBridge log stream names instead of a URL. Splunk Cloud streams always use HTTPS.
WITH allowed(entry) AS (
  VALUES ('acme-corp.example'), ('splunkcloud.com'), ('aws:123456789012')
),
destinations AS (
  SELECT tenant, 'event_hook' AS kind, id, name, status, uri AS destination
  FROM event_hooks
  UNION ALL
  SELECT tenant, 'inline_hook', id, name, status, uri
  FROM inline_hooks
  UNION ALL
  SELECT tenant, 'log_stream', id, name, status,
         CASE type
           WHEN 'splunk_cloud_logstreaming' THEN 'https://' || host
           ELSE 'aws:' || account_id
         END
  FROM log_streams
),
judged AS (
  SELECT d.*,
         d.destination LIKE 'aws:%' OR lower(d.destination) LIKE 'https://%' AS https,
         EXISTS (
           SELECT 1 FROM allowed AS a
           WHERE d.destination = a.entry
              OR lower(regexp_extract(d.destination, '^[a-zA-Z]+://([^/:]+)', 1)) = a.entry
              OR lower(regexp_extract(d.destination, '^[a-zA-Z]+://([^/:]+)', 1)) LIKE '%.' || a.entry
         ) AS listed
  FROM destinations AS d
)
SELECT tenant, kind, id, name, status, destination,
       concat_ws(', ', CASE WHEN NOT https THEN 'not https' END,
                       CASE WHEN NOT listed THEN 'not on the allow-list' END) AS finding
FROM judged
WHERE NOT https OR NOT listed
ORDER BY tenant, kind, name, id;
