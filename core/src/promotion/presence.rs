//! Where a digest already is along the pipeline (✓ dev, ✓ staging, – prod), from the index.

use super::rules;
use crate::auth::require_role;
use crate::users::{Role, User};
use crate::{DomainError, Services};

#[derive(Debug, Clone)]
pub struct Presence {
    pub environment: String,
    pub registry: String,
    /// The repository this one corresponds to in that environment.
    pub repository: String,
    pub protected: bool,
    /// The environment the viewed repository is in.
    pub is_source: bool,
    /// Tags of `repository` there that point at the digest.
    pub tags: Vec<String>,
}

pub async fn pipeline_presence(
    services: &Services,
    user: &User,
    registry: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<Presence>, DomainError> {
    require_role(user, Role::Viewer)?;
    let settings = &services.settings;
    let from = rules::stage_of(settings, registry, repository);
    let mut stages = Vec::new();
    for (position, environment) in settings.environments.iter().enumerate() {
        let to = rules::Stage {
            position,
            environment,
        };
        let there = rules::target_repository(from, to, repository);
        let tags = sqlx::query_scalar(
            "SELECT t.name FROM tags t
             JOIN repositories r ON r.id = t.repository_id
             JOIN registries g ON g.id = r.registry_id
             JOIN manifests m ON m.id = t.manifest_id
             WHERE g.name = ? AND r.name = ? AND m.digest = ? ORDER BY t.name",
        )
        .bind(&environment.registry)
        .bind(&there)
        .bind(digest)
        .fetch_all(&services.db)
        .await?;
        stages.push(Presence {
            environment: environment.name.clone(),
            registry: environment.registry.clone(),
            repository: there,
            protected: environment.protected,
            is_source: from.is_some_and(|f| f.position == position),
            tags,
        });
    }
    Ok(stages)
}
