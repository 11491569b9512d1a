-- Garbage collection schedules made on the /gc page (a `schedule` in a registry's [registry.gc]
-- takes precedence and is shown read-only).
CREATE TABLE gc_schedules (
    registry    TEXT PRIMARY KEY,
    schedule    TEXT NOT NULL,          -- `sun 03:00`, `daily 03:00` (UTC) or `every 6h`
    untagged    INTEGER NOT NULL CHECK (untagged IN (0, 1)),
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
