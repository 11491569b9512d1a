-- What a running garbage collection is doing now, written at each step, so every replica's
-- pages show it (the running replica also keeps it in memory).
ALTER TABLE gc_runs ADD COLUMN stage TEXT;
