-- Storage thresholds ([registry.storage]): a row each time a registry crosses one (state
-- 'crossed') or comes back under it ('recovered'). A threshold's current state is its latest row.
CREATE TABLE storage_alerts (
    id          INTEGER PRIMARY KEY,
    registry    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('capacity', 'growth')),
    state       TEXT NOT NULL CHECK (state IN ('crossed', 'recovered')),
    value       INTEGER NOT NULL,   -- stored bytes, or bytes a day
    threshold   INTEGER NOT NULL,   -- the same unit
    at          TEXT NOT NULL       -- the snapshot's taken_at
);
CREATE INDEX storage_alerts_latest ON storage_alerts (registry, kind, id);

-- Webhook deliveries are for a promotion or for a storage alert.
CREATE TABLE webhook_deliveries_new (
    id                INTEGER PRIMARY KEY,
    promotion_id      INTEGER REFERENCES promotions (id),
    storage_alert_id  INTEGER REFERENCES storage_alerts (id),
    webhook           TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    next_attempt_at   TEXT NOT NULL,
    delivered_at      TEXT,
    CHECK ((promotion_id IS NULL) <> (storage_alert_id IS NULL))
);
INSERT INTO webhook_deliveries_new (id, promotion_id, webhook, payload, status, attempts,
                                    last_error, next_attempt_at, delivered_at)
    SELECT id, promotion_id, webhook, payload, status, attempts, last_error, next_attempt_at,
           delivered_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_promotion ON webhook_deliveries (promotion_id);
