-- How far a running promotion is, written by its replica every half second, so that every
-- replica's UI shows it (the running replica also keeps it in memory).
ALTER TABLE promotions ADD COLUMN bytes_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE promotions ADD COLUMN bytes_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE promotions ADD COLUMN blobs_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE promotions ADD COLUMN blobs_total INTEGER NOT NULL DEFAULT 0;
