-- Personal access tokens for the JSON API (`Authorization: Bearer rgt_…`). Only a SHA-256 of
-- the token is kept (a token is 256 random bits: no salt or slow hash is needed to make it
-- unguessable from the hash); the token itself is shown once, at creation.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
