-- Every promotion: who copied which digest from where to where, how it went, what it moved.
CREATE TABLE promotions (
    id                 INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    actor              TEXT NOT NULL,
    source_registry    TEXT NOT NULL,
    source_repository  TEXT NOT NULL,
    source_tag         TEXT NOT NULL,
    digest             TEXT NOT NULL,
    target_registry    TEXT NOT NULL,
    target_repository  TEXT NOT NULL,
    target_tag         TEXT NOT NULL,
    from_environment   TEXT,
    to_environment     TEXT NOT NULL,
    -- 'running' rows left by a stopped server are marked 'failed' at the next start.
    status             TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    error              TEXT,
    duration_ms        INTEGER,
    bytes_moved        INTEGER NOT NULL DEFAULT 0,
    blobs_mounted      INTEGER NOT NULL DEFAULT 0,
    blobs_copied       INTEGER NOT NULL DEFAULT 0,
    blobs_present      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX promotions_started ON promotions (started_at);
