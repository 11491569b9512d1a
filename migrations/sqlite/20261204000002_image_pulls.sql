-- When each image was last pulled from each repository, from the registry's `pull`
-- notifications: a client's GET of a manifest. Regatta's own requests and HEAD existence
-- checks are not pulls. Keyed by digest, not by manifest row: the row of an image the index
-- forgets (its last tag moved) goes, the pull time of its digest need not.
CREATE TABLE image_pulls (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest         TEXT NOT NULL,
    pulled_at      TEXT NOT NULL,      -- UTC, YYYY-MM-DDTHH:MM:SSZ (sorts as text)
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

-- The first pull notification accepted from the registry: pull times are known from then on.
-- Before any, "not pulled for N days" is unknown (never reported as 0).
ALTER TABLE registries ADD COLUMN pulls_since TEXT;

-- What the latest snapshot found beyond the series: the unused share, the biggest layers.
-- One JSON document per registry, replaced by every snapshot.
CREATE TABLE storage_details (
    registry  TEXT PRIMARY KEY,
    taken_at  TEXT NOT NULL,
    details   TEXT NOT NULL
);
