-- Dashboard users. Roles grow in power: viewer < developer < maintainer < admin.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'developer', 'maintainer', 'admin')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    last_login_at TEXT
);

-- Who did what, when, from where. Rows are only ever inserted.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT,            -- username as typed or known; NULL for the system itself
    action   TEXT NOT NULL,   -- e.g. login.success, login.failure, user.add
    target   TEXT,
    source   TEXT,            -- client address, or 'cli'
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
    detail   TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
