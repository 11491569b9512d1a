-- The image's platforms beside each tag (`;os/arch/variant;` per platform, lower-case; NULL
-- for an artifact), so a search's `arch:`/`os:`/`platform:` filter is a check of the tag row
-- instead of a join through the manifests and an index's platform images: on PostgreSQL
-- `arch:arm64 env:dev` over 200,000 tags went from looking up 36,000 arm64 images' tags one by
-- one. Written by the index's upsert_tags (`image_platforms!`) whenever the tag is written; a
-- digest's platforms never change.
ALTER TABLE tags ADD COLUMN platforms TEXT;
UPDATE tags SET platforms = (
    SELECT CASE WHEN m.is_index THEN ';' || (
                    SELECT group_concat(lower(c.os) || '/' || lower(COALESCE(c.architecture, '')) || '/'
                                        || lower(COALESCE(c.variant, '')) || ';', '')
                    FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id
                    WHERE mc.parent_id = m.id AND c.os IS NOT NULL)
                WHEN m.os IS NULL THEN NULL
                ELSE ';' || lower(m.os) || '/' || lower(COALESCE(m.architecture, '')) || '/'
                     || lower(COALESCE(m.variant, '')) || ';' END
    FROM manifests m WHERE m.id = tags.manifest_id);
