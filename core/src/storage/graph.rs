//! One registry's part of the index as a graph in memory: tags → manifests (→ platform
//! manifests of an index) → blobs, with sizes. Read in one transaction, so a crawl writing
//! meanwhile is seen whole or not at all (SQLite WAL: readers never block the writer).

use sqlx::SqlitePool;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct GraphTag {
    pub repository: String,
    pub tag: String,
    pub manifest: i64,
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
    pub manifests: HashMap<i64, GraphManifest>,
    pub blob_sizes: HashMap<i64, u64>,
}

impl RegistryGraph {
    /// The graph of registry `name`; empty when it was never crawled.
    pub async fn load(db: &SqlitePool, name: &str) -> Result<Self, sqlx::Error> {
        let mut tx = db.begin().await?;
        let Some(registry): Option<i64> =
            sqlx::query_scalar("SELECT id FROM registries WHERE name = ?")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(Self::default());
        };
        let tags: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT r.name, t.name, t.manifest_id FROM tags t
             JOIN repositories r ON r.id = t.repository_id WHERE r.registry_id = ?",
        )
        .bind(registry)
        .fetch_all(&mut *tx)
        .await?;
        let manifests: Vec<(i64, i64, i64)> =
            sqlx::query_as("SELECT id, size, total_size FROM manifests WHERE registry_id = ?")
                .bind(registry)
                .fetch_all(&mut *tx)
                .await?;
        let children: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT mc.parent_id, mc.child_id FROM manifest_children mc
             JOIN manifests m ON m.id = mc.parent_id WHERE m.registry_id = ?",
        )
        .bind(registry)
        .fetch_all(&mut *tx)
        .await?;
        let blobs: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT mb.manifest_id, b.id, b.size FROM manifest_blobs mb
             JOIN blobs b ON b.id = mb.blob_id WHERE b.registry_id = ?",
        )
        .bind(registry)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;

        let mut graph = RegistryGraph {
            tags: tags
                .into_iter()
                .map(|(repository, tag, manifest)| GraphTag {
                    repository,
                    tag,
                    manifest,
                })
                .collect(),
            ..Default::default()
        };
        for (id, size, total_size) in manifests {
            graph.manifests.insert(
                id,
                GraphManifest {
                    size: size.max(0) as u64,
                    total_size: total_size.max(0) as u64,
                    ..Default::default()
                },
            );
        }
        for (parent, child) in children {
            if let Some(manifest) = graph.manifests.get_mut(&parent) {
                manifest.children.push(child);
            }
        }
        for (manifest, blob, size) in blobs {
            graph.blob_sizes.insert(blob, size.max(0) as u64);
            if let Some(manifest) = graph.manifests.get_mut(&manifest) {
                manifest.blobs.push(blob);
            }
        }
        Ok(graph)
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
