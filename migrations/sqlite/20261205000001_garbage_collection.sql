-- Garbage collection runs: one row per run (dry or real), with the prediction made before it,
-- what the registry's own output said, and the full log.
CREATE TABLE gc_runs (
    id                  INTEGER PRIMARY KEY,
    registry            TEXT NOT NULL,
    trigger             TEXT NOT NULL,             -- the user's name, or `schedule`
    dry_run             INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    untagged_cleanup    INTEGER NOT NULL CHECK (untagged_cleanup IN (0, 1)),
    status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    started_at          TEXT NOT NULL,
    finished_at         TEXT,
    duration_ms         INTEGER,
    -- The registry was read-only (maintenance_on to maintenance_off) for this long.
    read_only_ms        INTEGER,
    predicted_blobs     INTEGER NOT NULL,
    predicted_bytes     INTEGER NOT NULL,
    untagged_deleted    INTEGER NOT NULL DEFAULT 0,
    -- From the registry's output: the summary, and the blobs it said it deleted.
    blobs_marked        INTEGER,
    blobs_eligible      INTEGER,
    manifests_eligible  INTEGER,
    blobs_deleted       INTEGER,
    -- Bytes of the deleted blobs Regatta knew the size of; and the storage directory's shrink
    -- when `storage_path` is configured.
    bytes_freed         INTEGER,
    storage_before      INTEGER,
    storage_after       INTEGER,
    error               TEXT,
    log                 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gc_runs_of_registry ON gc_runs (registry, started_at DESC);

-- A registry in maintenance (read-only for garbage collection): Regatta's writes to it wait.
-- A row outlives a server killed mid-run; the next start ends the window and fails the run.
CREATE TABLE registry_maintenance (
    registry    TEXT PRIMARY KEY,
    gc_run_id   INTEGER NOT NULL REFERENCES gc_runs (id),
    since       TEXT NOT NULL
);

-- Blobs (layers, configs, manifest documents) the index knew and no manifest references any
-- more: what the registry's garbage collection will free. Written when the index drops them
-- (with the repository whose deletion released them, when known); forgotten when they are
-- referenced again or garbage collection ran.
CREATE TABLE released_blobs (
    registry_id  INTEGER NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
    digest       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    repository   TEXT,
    since        TEXT NOT NULL,
    PRIMARY KEY (registry_id, digest)
) WITHOUT ROWID;
CREATE TRIGGER blobs_referenced_again AFTER INSERT ON blobs BEGIN
    DELETE FROM released_blobs WHERE registry_id = new.registry_id AND digest = new.digest;
END;
CREATE TRIGGER manifests_referenced_again AFTER INSERT ON manifests BEGIN
    DELETE FROM released_blobs WHERE registry_id = new.registry_id AND digest = new.digest;
END;

-- `gc.started` and `gc.finished` webhook events belong to their run.
CREATE TABLE webhook_deliveries_new (
    id                INTEGER PRIMARY KEY,
    promotion_id      INTEGER REFERENCES promotions (id),
    storage_alert_id  INTEGER REFERENCES storage_alerts (id),
    deletion_id       INTEGER REFERENCES deletions (id),
    retention_run_id  INTEGER REFERENCES retention_runs (id),
    gc_run_id         INTEGER REFERENCES gc_runs (id),
    webhook           TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    next_attempt_at   TEXT NOT NULL,
    delivered_at      TEXT,
    CHECK ((promotion_id IS NOT NULL) + (storage_alert_id IS NOT NULL) + (deletion_id IS NOT NULL)
           + (retention_run_id IS NOT NULL) + (gc_run_id IS NOT NULL) = 1)
);
INSERT INTO webhook_deliveries_new (id, promotion_id, storage_alert_id, deletion_id,
                                    retention_run_id, webhook, payload, status, attempts,
                                    last_error, next_attempt_at, delivered_at)
    SELECT id, promotion_id, storage_alert_id, deletion_id, retention_run_id, webhook, payload,
           status, attempts, last_error, next_attempt_at, delivered_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_promotion ON webhook_deliveries (promotion_id);
