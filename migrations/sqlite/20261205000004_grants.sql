-- Roles per registry and per environment, beside the global role. A global role of `none`
-- means the user sees and does only what their grants give (a team's own registry, say).
-- SQLite cannot change a CHECK constraint in place: `users` is rebuilt with `none` allowed.
CREATE TABLE users_with_none (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('none', 'viewer', 'developer', 'maintainer', 'admin')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    last_login_at TEXT,
    session_epoch INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_with_none (id, username, password_hash, role, disabled, created_at, last_login_at, session_epoch)
    SELECT id, username, password_hash, role, disabled, created_at, last_login_at, session_epoch FROM users;
DROP TABLE users;
ALTER TABLE users_with_none RENAME TO users;

-- One role per user and place. `scope` says what `name` names: a configured registry or
-- environment. Names are not foreign keys: places live in regatta.toml, and a grant on a place
-- that left the configuration simply grants nothing (and says so on the user's page).
CREATE TABLE grants (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL CHECK (scope IN ('registry', 'environment')),
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'developer', 'maintainer', 'admin')),
    granted_at TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    PRIMARY KEY (user_id, scope, name)
) WITHOUT ROWID;
