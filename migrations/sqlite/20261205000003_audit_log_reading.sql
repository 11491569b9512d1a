-- The /audit page reads newest first by id, filtered by user, action or target: each filter
-- walks its own index in id order (keyset paging over millions of rows). The columns after id
-- let the other filters (result; the action a maintainer may not see) be checked in the index,
-- without reading the row. (actor, at) gave way to (actor, id, …): ids grow with time.
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_actor ON audit_log (actor, id, outcome, action);
CREATE INDEX audit_log_action ON audit_log (action, id, outcome, actor);
CREATE INDEX audit_log_target ON audit_log (target, id);

-- Audit rows are never changed; only the keep_days job deletes old ones.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
