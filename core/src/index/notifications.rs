//! Registry notifications (distribution's webhook): a push or delete shows up in the index
//! within a second instead of at the next crawl. Authenticated by a per-registry shared secret
//! sent as `Authorization: Bearer <secret>`; idempotent, since registries retry deliveries.

use super::resolve::ResolveError;
use super::store;
use crate::registry::{RegistryError, RepoName, Tag};
use crate::Services;
use secrecy::ExposeSecret;
use serde::Deserialize;

const MANIFEST_TYPES: &[&str] = &[
    crate::registry::ops::manifest::OCI_MANIFEST,
    crate::registry::ops::manifest::OCI_INDEX,
    crate::registry::ops::manifest::DOCKER_MANIFEST,
    crate::registry::ops::manifest::DOCKER_MANIFEST_LIST,
];

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("missing or wrong notification secret")]
    Unauthorized,
    #[error("no registry `{0}` is configured")]
    UnknownRegistry(String),
    #[error("not a distribution notification: {0}")]
    BadPayload(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("writing the index: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<HookError> for crate::DomainError {
    fn from(error: HookError) -> Self {
        match error {
            HookError::Unauthorized => Self::Unauthenticated,
            HookError::UnknownRegistry(name) => Self::NotFound(format!("Registry `{name}`")),
            HookError::BadPayload(_) => Self::Invalid(error.to_string()),
            // The registry retries a failed delivery: a 5xx says so.
            HookError::Registry(error) => Self::Unavailable(error.to_string()),
            HookError::Database(error) => Self::Internal(error.into()),
        }
    }
}

impl From<ResolveError> for HookError {
    fn from(error: ResolveError) -> Self {
        match error {
            ResolveError::Registry(error) => HookError::Registry(error),
            ResolveError::Database(error) => HookError::Database(error),
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    action: String,
    target: Target,
    request: Option<EventRequest>,
}

/// Who made the request that caused the event.
#[derive(Deserialize)]
struct EventRequest {
    method: Option<String>,
    useragent: Option<String>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    digest: Option<String>,
    repository: String,
    tag: Option<String>,
}

/// Applies the events of one delivery; returns how many changed the index.
pub async fn receive(
    services: &Services,
    registry: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Result<usize, HookError> {
    // An unknown registry is refused like a wrong secret, so the answer does not tell a
    // stranger which registry names exist. No secret configured: notifications are refused.
    let secret = services
        .settings
        .registry(registry)
        .and_then(|config| config.notify_secret_env.as_ref())
        .and_then(|var| services.settings.shared_secrets.get(var));
    let presented = authorization.and_then(|h| h.strip_prefix("Bearer "));
    match (secret, presented) {
        (Some(secret), Some(presented))
            if constant_time_eq(secret.expose_secret().as_bytes(), presented.as_bytes()) => {}
        _ => return Err(HookError::Unauthorized),
    }
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| HookError::BadPayload(e.to_string()))?;
    // The registry's notifications reach us: re-crawls may trust them (see crawl.rs).
    store::record_notified(&services.db, registry, services.clock.now()).await?;
    let mut applied = 0;
    for event in envelope.events {
        match apply(services, registry, event).await {
            Ok(changed) => applied += usize::from(changed),
            // The registry redelivers a refused event before any later one: refusing an event
            // that can never succeed would stall its queue. Skip it; the next crawl reconciles.
            Err(HookError::Registry(error)) if !error.is_retryable() => {
                tracing::warn!(registry, %error, "skipping a notification");
            }
            Err(error) => return Err(error),
        }
    }
    Ok(applied)
}

async fn apply(services: &Services, registry: &str, event: Event) -> Result<bool, HookError> {
    let Ok(repo) = RepoName::parse(&event.target.repository) else {
        return Ok(false);
    };
    let client = services
        .registries
        .get(registry)
        .ok_or_else(|| HookError::UnknownRegistry(registry.to_string()))?;
    let is_manifest = event
        .target
        .media_type
        .as_deref()
        .is_some_and(|m| MANIFEST_TYPES.contains(&m));
    // Pulls are most of a busy registry's events: they change no tag, and write only a
    // (throttled) pull time.
    if event.action == "pull" {
        let request = event.request.as_ref();
        let (method, agent) = (
            request.and_then(|r| r.method.as_deref()),
            request.and_then(|r| r.useragent.as_deref()),
        );
        if let (true, true, Some(digest)) = (
            is_manifest,
            super::pulls::is_client_pull(method, agent),
            &event.target.digest,
        ) {
            super::pulls::note_pull(services, registry, repo.as_str(), digest).await?;
        }
        return Ok(false);
    }
    let registry_id = store::registry_id(&services.db, registry).await?;
    match (event.action.as_str(), event.target.tag, event.target.digest) {
        // A tagged manifest push. The index follows where the tag points *now*: events can be
        // stale (sibling-safe tag deletion pushes a throw-away manifest and deletes it at once).
        // Untagged pushes (an index's platform images) are described with their index.
        ("push", Some(tag), Some(_)) if is_manifest => {
            let tag = Tag::parse(&tag).map_err(RegistryError::from)?;
            super::refresh_tag(services, client, &repo, &tag).await?;
            Ok(true)
        }
        // A delete names either the tag (OCI tag delete) or the manifest digest (all its tags).
        // Deleting from a repository the index does not know changes nothing (and must not
        // create an empty repository row).
        ("delete", Some(tag), _) => {
            let Some(repository_id) =
                store::existing_repository_id(&services.db, registry_id, repo.as_str()).await?
            else {
                return Ok(false);
            };
            store::delete_tag(&services.db, repository_id, &tag).await?;
            Ok(true)
        }
        ("delete", None, Some(digest)) => {
            let Some(repository_id) =
                store::existing_repository_id(&services.db, registry_id, repo.as_str()).await?
            else {
                return Ok(false);
            };
            let mut tx = crate::db::begin_write(&services.db).await?;
            store::delete_tags_of_digest(&mut tx, registry_id, repository_id, &digest).await?;
            tx.commit().await?;
            Ok(true)
        }
        // Mount and blob events do not change what is tagged.
        _ => Ok(false),
    }
}

/// Compares digests of both, so neither the length nor the first differing byte shows in the
/// time taken.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
