-- Search: substring (trigram) indexes over repository names and over the distinct tag names, so a
-- query touches the few thousand names it matches rather than every tag; plus the lookups by name
-- and by digest that search, digest lookup and "images built on this layer" need.

CREATE INDEX tags_name ON tags (name);
CREATE INDEX manifests_digest ON manifests (digest);
CREATE INDEX blobs_digest ON blobs (digest);
CREATE INDEX manifests_platform ON manifests (architecture, os);

CREATE VIRTUAL TABLE repository_search USING fts5 (
    name, content = 'repositories', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO repository_search (rowid, name) SELECT id, name FROM repositories;
-- Repositories are never renamed, so insert and delete are all there is to follow.
CREATE TRIGGER repositories_search_insert AFTER INSERT ON repositories BEGIN
    INSERT INTO repository_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER repositories_search_delete AFTER DELETE ON repositories BEGIN
    INSERT INTO repository_search (repository_search, rowid, name) VALUES ('delete', old.id, old.name);
END;

-- Every tag name in use, once: 200,000 tags typically share a few thousand names (latest, 1.4.2 …).
CREATE TABLE tag_names (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE tag_name_search USING fts5 (
    name, content = 'tag_names', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER tag_names_search_insert AFTER INSERT ON tag_names BEGIN
    INSERT INTO tag_name_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER tag_names_search_delete AFTER DELETE ON tag_names BEGIN
    INSERT INTO tag_name_search (tag_name_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
INSERT INTO tag_names (name) SELECT DISTINCT name FROM tags;

-- Tags are upserted (ON CONFLICT DO UPDATE never changes the name) and deleted, also by cascade.
CREATE TRIGGER tags_name_insert AFTER INSERT ON tags BEGIN
    INSERT INTO tag_names (name) SELECT new.name WHERE NOT EXISTS (SELECT 1 FROM tag_names WHERE name = new.name);
END;
CREATE TRIGGER tags_name_delete AFTER DELETE ON tags
WHEN NOT EXISTS (SELECT 1 FROM tags WHERE name = old.name) BEGIN
    DELETE FROM tag_names WHERE name = old.name;
END;
