-- Several Regatta processes on one database (replicas, or two during a rolling restart): who is
-- alive, and which one runs each background job. Times are Unix milliseconds.
CREATE TABLE replicas (
    id                TEXT PRIMARY KEY,
    host              TEXT NOT NULL,
    -- With `host`: whether another replica's PID can be looked up in this one's /proc.
    process_namespace TEXT NOT NULL DEFAULT '',
    pid               INTEGER NOT NULL,
    listen            TEXT NOT NULL,
    started_at        INTEGER NOT NULL,
    seen_at           INTEGER NOT NULL,
    stopped_at        INTEGER
);

CREATE TABLE job_leases (
    job              TEXT PRIMARY KEY,
    -- A replicas.id; '' when given up.
    holder           TEXT NOT NULL,
    acquired_at      INTEGER NOT NULL,
    -- The job's last pass, whichever replica ran it: the schedule is the cluster's.
    pass_started_at  INTEGER,
    pass_finished_at INTEGER
);

-- The replica running each piece of long work: only a dead replica's is ended as interrupted.
ALTER TABLE promotions ADD COLUMN replica TEXT;
ALTER TABLE deletions ADD COLUMN replica TEXT;
ALTER TABLE retention_runs ADD COLUMN replica TEXT;
ALTER TABLE gc_runs ADD COLUMN replica TEXT;

-- One promotion at a time per target tag, across replicas.
CREATE TABLE promotion_target_locks (
    target      TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    -- Which of the holder's promotions: the release deletes only its own row.
    token       INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL
);
