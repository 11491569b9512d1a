-- Sessions remember the epoch their user had at login; a password change or a disable bumps it,
-- which ends every session opened before (the session store cannot be searched by user).
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
