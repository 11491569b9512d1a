-- The repository's registry and name beside each tag, as on SQLite (see
-- migrations/sqlite/20261207000002_tags_repository.sql).
ALTER TABLE tags ADD COLUMN registry_id BIGINT, ADD COLUMN repository_name TEXT COLLATE "C";
UPDATE tags t SET registry_id = r.registry_id, repository_name = r.name
FROM repositories r WHERE r.id = t.repository_id;
-- The tags of a name in search's order, with what a page of them needs: a tag name matching a
-- word is an index-only scan, sorted without visiting the table or the repositories.
DROP INDEX tags_name;
CREATE INDEX tags_name ON tags (name, registry_id, repository_name) INCLUDE (rowid, repository_id, manifest_id);
