-- When an endpoint was disabled (by its failures, a 410, or the API), shown with the reason.
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz;

UPDATE webhook_endpoints SET disabled_at = updated_at WHERE NOT enabled;
