-- Storage usage over time: one row per scope per snapshot (registry, environment, namespace,
-- and the largest repositories). Full resolution for 7 days, then the last row of each day
-- (resolution 'day') for 2 years.
CREATE TABLE storage_snapshots (
    id               INTEGER PRIMARY KEY,
    taken_at         TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ (sorts as text)
    registry         TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('registry', 'environment', 'namespace', 'repository')),
    scope            TEXT NOT NULL,
    resolution       TEXT NOT NULL DEFAULT 'full' CHECK (resolution IN ('full', 'day')),
    logical_bytes    INTEGER NOT NULL,
    stored_bytes     INTEGER NOT NULL,
    exclusive_bytes  INTEGER NOT NULL,
    shared_bytes     INTEGER NOT NULL,
    repositories     INTEGER NOT NULL,
    tags             INTEGER NOT NULL,
    manifests        INTEGER NOT NULL,
    blobs            INTEGER NOT NULL
);
CREATE INDEX storage_snapshots_series ON storage_snapshots (registry, kind, scope, taken_at);
CREATE INDEX storage_snapshots_taken ON storage_snapshots (taken_at);
