-- Regatta's own record of each login session, beside the session store's opaque records: so a
-- user (or an admin) can list sessions — when and where from, which browser — and end one.
-- The session keeps `key`; a session whose row is ended (or older than its user's epoch) no
-- longer counts. `id` is what pages show and forms send; `key` never leaves the server.
CREATE TABLE user_sessions (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    epoch        INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    source       TEXT NOT NULL,
    agent        TEXT,
    ended_at     TEXT
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, ended_at);
