-- What Regatta knows of each registry, filled by the crawler and registry notifications.
-- Lists, search and storage accounting read these tables, never the registry.

CREATE TABLE registries (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL UNIQUE,      -- the [[registry]] name in regatta.toml
    crawl_started_at      TEXT,
    crawl_finished_at     TEXT,
    crawl_duration_ms     INTEGER,
    crawl_requests        INTEGER,
    crawl_error           TEXT                       -- last crawl's failure, NULL when it succeeded
);

CREATE TABLE repositories (
    id           INTEGER PRIMARY KEY,
    registry_id  INTEGER NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    UNIQUE (registry_id, name)
);

-- Content-addressed: one row per digest per registry, shared by every tag that points at it.
CREATE TABLE manifests (
    id            INTEGER PRIMARY KEY,
    registry_id   INTEGER NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
    digest        TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL,                  -- of the manifest document itself
    is_index      INTEGER NOT NULL CHECK (is_index IN (0, 1)),
    os            TEXT,                              -- images: from the config
    architecture  TEXT,
    variant       TEXT,
    created       TEXT,                              -- images: config `created`, as written
    total_size    INTEGER NOT NULL,                  -- config + layers; indexes: sum over children
    UNIQUE (registry_id, digest)
);

CREATE TABLE tags (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    manifest_id    INTEGER NOT NULL REFERENCES manifests (id),
    updated_at     TEXT NOT NULL,                    -- when we last saw it change
    PRIMARY KEY (repository_id, name)
);
CREATE INDEX tags_manifest ON tags (manifest_id);

-- The platform images of a multi-arch index.
CREATE TABLE manifest_children (
    parent_id     INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    child_id      INTEGER NOT NULL REFERENCES manifests (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (parent_id, position)
);
CREATE INDEX manifest_children_child ON manifest_children (child_id);

CREATE TABLE blobs (
    id           INTEGER PRIMARY KEY,
    registry_id  INTEGER NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
    digest       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    media_type   TEXT NOT NULL,
    UNIQUE (registry_id, digest)
);

-- Which image uses which blob: its config (position 0) and layers (1..n, in order).
CREATE TABLE manifest_blobs (
    manifest_id  INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    blob_id      INTEGER NOT NULL REFERENCES blobs (id),
    PRIMARY KEY (manifest_id, position)
);
CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_id);
