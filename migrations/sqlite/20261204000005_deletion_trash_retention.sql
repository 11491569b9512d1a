-- Deletions: one row per request (a tag, a batch of tags, a repository; later a retention
-- run), with what became of its tags.
CREATE TABLE deletions (
    id              INTEGER PRIMARY KEY,
    registry        TEXT NOT NULL,
    repository      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('tags', 'repository')),
    requested_by    TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'partial', 'failed')),
    tags_requested  INTEGER NOT NULL,
    tags_deleted    INTEGER NOT NULL DEFAULT 0,
    tags_skipped    INTEGER NOT NULL DEFAULT 0,
    tags_failed     INTEGER NOT NULL DEFAULT 0,
    -- What garbage collection frees once it runs: the deleted tags' exclusive bytes.
    bytes_freed     INTEGER NOT NULL DEFAULT 0
);

-- The trash: every deleted tag's manifest documents, kept `trash.keep_days`, so the tag can be
-- put back byte for byte (same digest) until garbage collection removes its blobs.
CREATE TABLE trash (
    id             INTEGER PRIMARY KEY,
    deletion_id    INTEGER NOT NULL REFERENCES deletions (id),
    registry       TEXT NOT NULL,
    repository     TEXT NOT NULL,
    tag            TEXT NOT NULL,
    digest         TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,       -- the image: config and layers, every platform
    image_deleted  INTEGER NOT NULL CHECK (image_deleted IN (0, 1)),  -- its manifest went too
    deleted_by     TEXT NOT NULL,
    deleted_from   TEXT NOT NULL,          -- the client's address
    deleted_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    restored_at    TEXT,
    restored_by    TEXT
);
CREATE INDEX trash_expiry ON trash (expires_at);
CREATE INDEX trash_newest ON trash (deleted_at);

-- A trashed tag's manifest documents: its own (position 0), then an index's platform images.
CREATE TABLE trash_manifests (
    trash_id    INTEGER NOT NULL REFERENCES trash (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    digest      TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    PRIMARY KEY (trash_id, position)
);

-- Retention policies made on the /retention page (those of regatta.toml are not stored).
CREATE TABLE retention_policies (
    name        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,      -- JSON: the policy as in [[retention]]
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- A retention preview, and the run of exactly its candidates (a scheduled run previews and
-- runs at once).
CREATE TABLE retention_runs (
    id            INTEGER PRIMARY KEY,
    policy        TEXT NOT NULL,
    registry      TEXT NOT NULL,
    trigger       TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli')),
    requested_by  TEXT NOT NULL,
    previewed_at  TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('previewed', 'running', 'done', 'partial', 'failed')),
    candidates    INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    bytes_freed   INTEGER NOT NULL,           -- predicted at the preview
    duration_ms   INTEGER,
    preview       TEXT NOT NULL,              -- JSON: the candidates per repository
    report        TEXT                        -- JSON: what became of each
);
CREATE INDEX retention_runs_policy ON retention_runs (policy, previewed_at);

-- Webhook deliveries now belong to a promotion, a storage alert, a deletion or a retention run.
CREATE TABLE webhook_deliveries_new (
    id                INTEGER PRIMARY KEY,
    promotion_id      INTEGER REFERENCES promotions (id),
    storage_alert_id  INTEGER REFERENCES storage_alerts (id),
    deletion_id       INTEGER REFERENCES deletions (id),
    retention_run_id  INTEGER REFERENCES retention_runs (id),
    webhook           TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    next_attempt_at   TEXT NOT NULL,
    delivered_at      TEXT,
    CHECK ((promotion_id IS NOT NULL) + (storage_alert_id IS NOT NULL) + (deletion_id IS NOT NULL)
           + (retention_run_id IS NOT NULL) = 1)
);
INSERT INTO webhook_deliveries_new (id, promotion_id, storage_alert_id, webhook, payload, status,
                                    attempts, last_error, next_attempt_at, delivered_at)
    SELECT id, promotion_id, storage_alert_id, webhook, payload, status, attempts, last_error,
           next_attempt_at, delivered_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_promotion ON webhook_deliveries (promotion_id);
