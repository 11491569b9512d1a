-- The registry's health as seen at its last crawl: GET /v2/ with our credentials.
ALTER TABLE registries ADD COLUMN health_level TEXT CHECK (health_level IN ('ok', 'warning', 'down'));
ALTER TABLE registries ADD COLUMN health_summary TEXT;
ALTER TABLE registries ADD COLUMN health_latency_ms INTEGER;
ALTER TABLE registries ADD COLUMN health_checked_at TEXT;
