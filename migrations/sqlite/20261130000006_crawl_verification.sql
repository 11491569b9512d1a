-- Notifications in use: when a registry's notifications have been received, a re-crawl lists
-- catalog and tags only (new tags are fetched, removed ones dropped) and trusts the events for
-- tags that moved; every tag is HEADed again at least every index.verify_interval_hours.
ALTER TABLE registries ADD COLUMN notified_at TEXT;   -- last notification accepted (secret ok)
ALTER TABLE registries ADD COLUMN verified_at TEXT;   -- last crawl that HEADed every known tag
