-- The storage page reads each scope's stored bytes over a year: with stored_bytes in the index
-- that is one index range per scope, without a table lookup per row (a year of 50 namespaces
-- is ~27,000 rows per registry).
DROP INDEX storage_snapshots_series;
CREATE INDEX storage_snapshots_series ON storage_snapshots (registry, kind, scope, taken_at, stored_bytes);
