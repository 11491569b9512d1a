-- Outgoing webhook calls after promotions: one row per (promotion, webhook), retried until
-- delivered or given up, so failures are visible in the promotion history.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    promotion_id     INTEGER NOT NULL REFERENCES promotions (id),
    webhook          TEXT NOT NULL,                 -- the [[webhook]] name
    payload          TEXT NOT NULL,                 -- the JSON body, signed when sent
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_promotion ON webhook_deliveries (promotion_id);
