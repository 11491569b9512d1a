-- The /audit page reads newest first by id, filtered by user, action or target: each filter
-- walks its own index in id order (keyset paging over millions of rows).
-- (actor, at) gave way to (actor, id): ids grow with time, and the page orders by id.
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target, id);

-- Audit rows are never changed; only the keep_days job deletes old ones.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
