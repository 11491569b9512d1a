-- The image's platforms beside each tag (`;os/arch/variant;` per platform, lower-case; NULL
-- for an artifact), as on SQLite (see migrations/sqlite/20261207000001_tags_platforms.sql):
-- a search's platform filter checks the tag row instead of joining through the manifests.
ALTER TABLE tags ADD COLUMN platforms TEXT COLLATE "C";
UPDATE tags SET platforms = (
    SELECT CASE WHEN m.is_index THEN ';' || (
                    SELECT string_agg(lower(c.os) || '/' || lower(COALESCE(c.architecture, '')) || '/'
                                      || lower(COALESCE(c.variant, '')) || ';', '')
                    FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id
                    WHERE mc.parent_id = m.id AND c.os IS NOT NULL)
                WHEN m.os IS NULL THEN NULL
                ELSE ';' || lower(m.os) || '/' || lower(COALESCE(m.architecture, '')) || '/'
                     || lower(COALESCE(m.variant, '')) || ';' END
    FROM manifests m WHERE m.id = tags.manifest_id);
-- A repository's tags with what search filters and pages by, in the index alone: a query led
-- by an environment or a namespace walks its repositories' tags here without reading the
-- table (an index-only scan; measured 10 ms instead of 116 ms for `arch:arm64 env:dev` over
-- 200,000 tags, with the column above).
CREATE INDEX tags_in_repository ON tags (repository_id, name) INCLUDE (platforms, rowid);
