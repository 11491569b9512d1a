-- Regatta's writes to a registry while they run (promotions, deletions, retention runs,
-- restores), so a garbage collection started on one replica waits for those of the others.
CREATE TABLE registry_writes (
    id         INTEGER PRIMARY KEY,
    registry   TEXT NOT NULL,
    -- A replicas.id: rows of a dead replica do not hold a collection up.
    replica    TEXT NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE INDEX registry_writes_by_registry ON registry_writes (registry);
