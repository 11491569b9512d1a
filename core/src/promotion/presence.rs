//! Where a digest already is along the pipeline (✓ dev, ✓ staging, – prod), from the index.

use super::rules;
use crate::auth::{may_read, require_read};
use crate::index::pages;
use crate::users::User;
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
    /// Why this user may not promote there, when the rules say no (shown before the click).
    pub refusal: Option<String>,
}

pub async fn pipeline_presence(
    services: &Services,
    user: &User,
    registry: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<Presence>, DomainError> {
    let settings = &services.settings;
    require_read(user, settings, registry)?;
    let from = rules::stage_of(settings, registry, repository);
    type Planned<'a> = (
        usize,
        &'a crate::config::EnvironmentConfig,
        String,
        Option<String>,
    );
    let stages: Vec<Planned> = settings
        .environments
        .iter()
        .enumerate()
        // Stages in registries the user may not read are not shown (nor asked for).
        .filter(|(_, environment)| may_read(user, &environment.registry))
        .map(|(position, environment)| {
            let to = rules::Stage {
                position,
                environment,
            };
            let refusal = rules::check(user, from, to).err().map(|e| e.to_string());
            (
                position,
                environment,
                rules::target_repository(from, to, repository),
                refusal,
            )
        })
        .collect();
    let places: Vec<(String, String)> = stages
        .iter()
        .map(|(_, environment, there, _)| (environment.registry.clone(), there.clone()))
        .collect();
    let found = pages::tags_on_digest(&services.db, digest, &places).await?;
    Ok(stages
        .into_iter()
        .map(|(position, environment, there, refusal)| Presence {
            tags: found
                .iter()
                .filter(|(r, repo, _)| *r == environment.registry && *repo == there)
                .map(|(_, _, tag)| tag.clone())
                .collect(),
            environment: environment.name.clone(),
            registry: environment.registry.clone(),
            repository: there,
            protected: environment.protected,
            is_source: from.is_some_and(|f| f.position == position),
            refusal,
        })
        .collect())
}
