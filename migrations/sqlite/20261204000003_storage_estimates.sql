-- A registry's stored bytes by day before its first snapshot, estimated once (at that
-- snapshot) from when each blob first appeared: the earliest build date of the images using
-- it, or when its tag was first seen. Drawn dashed and labelled "estimated".
CREATE TABLE storage_estimates (
    registry     TEXT PRIMARY KEY,
    computed_at  TEXT NOT NULL,
    points       TEXT NOT NULL     -- JSON [[day "YYYY-MM-DDT00:00:00Z", stored bytes], …], oldest first
);
