//! One registry's part of the index as a graph in memory: tags → manifests (→ platform
//! manifests of an index) → blobs, with sizes. Read in one transaction, so a crawl writing
//! meanwhile is seen whole or not at all (SQLite WAL: readers never block the writer).

use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct GraphTag {
    pub repository: String,
    pub tag: String,
    pub manifest: i64,
    /// When the index saw the tag pushed or moved (RFC 3339, UTC).
    pub pushed_at: String,
    /// The image's build date as its config says (an index: its newest platform's).
    pub created: Option<String>,
    /// Not a tag: an untagged manifest the repository holds (`tag` is empty, `pushed_at` is
    /// when it became untagged). In [`RegistryGraph::untagged`], never in `tags`.
    pub untagged: bool,
}

#[derive(Debug, Clone, Default)]
pub struct GraphManifest {
    /// Of the manifest document (stored as a blob by the registry, too).
    pub size: u64,
    /// Config + layers; an index: the sum over its platforms (what `docker images` adds up).
    pub total_size: u64,
    pub children: Vec<i64>,
    pub blobs: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RegistryGraph {
    pub tags: Vec<GraphTag>,
    /// Untagged manifests of each repository: they hold blobs like tags do.
    pub untagged: Vec<GraphTag>,
    pub manifests: HashMap<i64, GraphManifest>,
    pub blob_sizes: HashMap<i64, u64>,
    /// Last pull (sortable UTC text) by repository and manifest id; filled by
    /// [`RegistryGraph::load_pulls`] for those who need it.
    pub pulls: HashMap<String, HashMap<i64, String>>,
}

impl RegistryGraph {
    /// The graph of registry `name`; empty when it was never crawled.
    pub async fn load(db: &crate::db::Db, name: &str) -> Result<Self, sqlx::Error> {
        let mut tx = db.begin().await?;
        let Some(registry) = registry_row(&mut tx, name).await? else {
            return Ok(Self::default());
        };
        // Each table comes as one row of JSON: sqlx-sqlite hands every row to the async side
        // through a channel (about 3 µs a row), which made 470,000 rows (a 100,000-tag
        // registry) take 1.5 s; SQLite builds and serde parses the same in a fraction.
        let tags: Vec<(String, String, i64, String, Option<String>)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(r.name, t.name, t.manifest_id, t.updated_at, t.created)) FROM tags t
             JOIN repositories r ON r.id = t.repository_id WHERE r.registry_id = ?",
            registry,
        )
        .await?;
        // Flat rows, put together below: a JSON array per manifest built by correlated
        // subqueries cost SQLite three times as much.
        let manifests: Vec<(i64, i64, i64)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(id, size, total_size)) FROM manifests
             WHERE registry_id = ?",
            registry,
        )
        .await?;
        let manifest_blobs: Vec<(i64, i64)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(mb.manifest_id, mb.blob_id)) FROM manifests m
             JOIN manifest_blobs mb ON mb.manifest_id = m.id WHERE m.registry_id = ?",
            registry,
        )
        .await?;
        let children: Vec<(i64, i64)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(mc.parent_id, mc.child_id)) FROM manifests m
             JOIN manifest_children mc ON mc.parent_id = m.id WHERE m.registry_id = ?",
            registry,
        )
        .await?;
        let blobs: Vec<(i64, i64)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(id, size)) FROM blobs WHERE registry_id = ?",
            registry,
        )
        .await?;
        let untagged: Vec<(String, i64, String)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(r.name, u.manifest_id, u.since))
             FROM untagged_manifests u JOIN repositories r ON r.id = u.repository_id
             WHERE r.registry_id = ?",
            registry,
        )
        .await?;
        tx.commit().await?;

        let mut graph = RegistryGraph {
            untagged: untagged
                .into_iter()
                .map(|(repository, manifest, since)| GraphTag {
                    repository,
                    tag: String::new(),
                    manifest,
                    pushed_at: since,
                    created: None,
                    untagged: true,
                })
                .collect(),
            tags: tags
                .into_iter()
                .map(|(repository, tag, manifest, pushed_at, created)| GraphTag {
                    repository,
                    tag,
                    manifest,
                    pushed_at,
                    created,
                    untagged: false,
                })
                .collect(),
            ..Default::default()
        };
        for (id, size, total_size) in manifests {
            let manifest = GraphManifest {
                size: size.max(0) as u64,
                total_size: total_size.max(0) as u64,
                ..GraphManifest::default()
            };
            graph.manifests.insert(id, manifest);
        }
        for (manifest, blob) in manifest_blobs {
            if let Some(m) = graph.manifests.get_mut(&manifest) {
                m.blobs.push(blob);
            }
        }
        for (parent, child) in children {
            if let Some(m) = graph.manifests.get_mut(&parent) {
                m.children.push(child);
            }
        }
        graph.blob_sizes = blobs
            .into_iter()
            .map(|(id, size)| (id, size.max(0) as u64))
            .collect();
        Ok(graph)
    }

    /// Reads the registry's pull times (see `index::pulls`) into [`RegistryGraph::pulls`].
    pub async fn load_pulls(&mut self, db: &crate::db::Db, name: &str) -> Result<(), sqlx::Error> {
        let mut tx = db.begin().await?;
        let Some(registry) = registry_row(&mut tx, name).await? else {
            return Ok(());
        };
        let pulls: Vec<(String, i64, String)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(r.name, m.id, p.pulled_at)) FROM image_pulls p
             JOIN repositories r ON r.id = p.repository_id
             JOIN manifests m ON m.registry_id = r.registry_id AND m.digest = p.digest
             WHERE r.registry_id = ?",
            registry,
        )
        .await?;
        tx.commit().await?;
        self.pulls.clear();
        for (repository, manifest, at) in pulls {
            self.pulls
                .entry(repository)
                .or_default()
                .insert(manifest, at);
        }
        Ok(())
    }

    /// The digest of each manifest of the registry (manifest id → digest).
    pub async fn load_digests(
        db: &crate::db::Db,
        name: &str,
    ) -> Result<HashMap<i64, String>, sqlx::Error> {
        let mut tx = db.begin().await?;
        let Some(registry) = registry_row(&mut tx, name).await? else {
            return Ok(HashMap::new());
        };
        let digests: Vec<(i64, String)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(id, digest)) FROM manifests WHERE registry_id = ?",
            registry,
        )
        .await?;
        tx.commit().await?;
        Ok(digests.into_iter().collect())
    }

    /// Each image's config `created` as written (manifest id → RFC 3339, when it has one), for
    /// the estimated past.
    pub async fn load_created(
        db: &crate::db::Db,
        name: &str,
    ) -> Result<HashMap<i64, String>, sqlx::Error> {
        let mut tx = db.begin().await?;
        let Some(registry) = registry_row(&mut tx, name).await? else {
            return Ok(HashMap::new());
        };
        let created: Vec<(i64, String)> = json_rows(
            &mut tx,
            "SELECT json_group_array(json_array(id, created)) FROM manifests
             WHERE registry_id = ? AND created IS NOT NULL",
            registry,
        )
        .await?;
        tx.commit().await?;
        Ok(created.into_iter().collect())
    }

    /// When `tag` was last pulled: its manifest or, for an index, any of its platform images
    /// (a node pulls its platform by digest). Needs [`RegistryGraph::load_pulls`].
    pub fn last_pull(&self, tag: &GraphTag) -> Option<&str> {
        let pulled = self.pulls.get(&tag.repository)?;
        self.reachable(tag.manifest)
            .filter_map(|id| pulled.get(&id))
            .map(String::as_str)
            .max()
    }

    /// `manifest` and, for an index, its platform manifests.
    pub fn reachable(&self, manifest: i64) -> impl Iterator<Item = i64> + '_ {
        let children = self
            .manifests
            .get(&manifest)
            .map(|m| m.children.as_slice())
            .unwrap_or_default();
        std::iter::once(manifest).chain(children.iter().copied())
    }
}

/// The row id of registry `name`; `None` when it was never crawled.
async fn registry_row(
    tx: &mut impl crate::db::Connection,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    crate::db::query_scalar("SELECT id FROM registries WHERE name = ?")
        .bind(name)
        .fetch_optional(tx)
        .await
}

/// The rows of a query that aggregates them into one JSON array (`json_group_array`).
async fn json_rows<T: serde::de::DeserializeOwned>(
    tx: &mut impl crate::db::Connection,
    sql: &str,
    registry: i64,
) -> Result<Vec<T>, sqlx::Error> {
    let text: String = crate::db::query_scalar(sql)
        .bind(registry)
        .fetch_one(&mut *tx)
        .await?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
