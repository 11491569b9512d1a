-- How far a running crawl is, written by the crawling replica every half second, so that every
-- replica's pages show it. NULL when no crawl runs.
ALTER TABLE registries ADD COLUMN crawl_replica TEXT;
ALTER TABLE registries ADD COLUMN crawl_repositories_total INTEGER;
ALTER TABLE registries ADD COLUMN crawl_repositories_done INTEGER;
ALTER TABLE registries ADD COLUMN crawl_errors INTEGER;
