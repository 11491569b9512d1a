-- Manifests a repository still holds in the registry that none of its tags reaches: the image
-- a tag pointed at before it moved, or whose tag was deleted alone. distribution keeps them,
-- and their blobs, until they are deleted by digest. Known from when Regatta saw them become
-- untagged (there is no API to list them); a crawl that verifies HEADs them and drops those
-- the registry no longer has. `since` is when Regatta saw it happen.
CREATE TABLE untagged_manifests (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    manifest_id    INTEGER NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    since          TEXT NOT NULL,
    PRIMARY KEY (repository_id, manifest_id)
) WITHOUT ROWID;
CREATE INDEX untagged_manifests_manifest ON untagged_manifests (manifest_id);

-- A tag moved or went: the manifest it left is untagged unless another tag of the repository
-- points at it or at an index holding it. A repository being deleted leaves nothing behind.
CREATE TRIGGER tags_leave_on_move AFTER UPDATE OF manifest_id ON tags
WHEN old.manifest_id <> new.manifest_id BEGIN
    INSERT OR IGNORE INTO untagged_manifests (repository_id, manifest_id, since)
    SELECT old.repository_id, old.manifest_id, new.updated_at
    WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = old.repository_id AND t.manifest_id = old.manifest_id)
      AND NOT EXISTS (SELECT 1 FROM tags t JOIN manifest_children mc ON mc.parent_id = t.manifest_id
                      WHERE t.repository_id = old.repository_id AND mc.child_id = old.manifest_id);
END;
CREATE TRIGGER tags_leave_on_delete AFTER DELETE ON tags BEGIN
    INSERT OR IGNORE INTO untagged_manifests (repository_id, manifest_id, since)
    SELECT old.repository_id, old.manifest_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    WHERE EXISTS (SELECT 1 FROM repositories WHERE id = old.repository_id)
      AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = old.repository_id AND t.manifest_id = old.manifest_id)
      AND NOT EXISTS (SELECT 1 FROM tags t JOIN manifest_children mc ON mc.parent_id = t.manifest_id
                      WHERE t.repository_id = old.repository_id AND mc.child_id = old.manifest_id);
END;
-- Tagged again: no longer untagged.
CREATE TRIGGER tags_arrive_on_insert AFTER INSERT ON tags BEGIN
    DELETE FROM untagged_manifests WHERE repository_id = new.repository_id AND manifest_id = new.manifest_id;
END;
CREATE TRIGGER tags_arrive_on_move AFTER UPDATE OF manifest_id ON tags
WHEN old.manifest_id <> new.manifest_id BEGIN
    DELETE FROM untagged_manifests WHERE repository_id = new.repository_id AND manifest_id = new.manifest_id;
END;
