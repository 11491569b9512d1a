-- Failed (and in-flight) password logins per client address and per account, for the login
-- throttle: in the database so that it holds across replicas. Times are Unix milliseconds.
CREATE TABLE login_failures (
    kind    TEXT NOT NULL CHECK (kind IN ('account', 'address')),
    key     TEXT NOT NULL,
    count   INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX login_failures_by_time ON login_failures (last_at);
