//! When images are pulled, from the registry's `pull` notifications: what "unused for 30 days"
//! and retention's "pulled within N days" stand on. A busy registry sends an event for every
//! manifest GET (every `docker pull`, every node starting a pod), so the index writes a pull
//! at most once per image and repository every [`WRITE_EVERY`]: pull times are exact to a
//! few minutes, and a pull storm costs no database writes.

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

pub const WRITE_EVERY: Duration = Duration::minutes(5);

/// Past this many remembered pulls, those older than [`WRITE_EVERY`] are forgotten.
const REMEMBERED: usize = 100_000;

/// The pulls written lately, by (registry, repository, digest).
#[derive(Debug, Default)]
pub struct PullLog {
    written: Mutex<HashMap<(String, String, String), OffsetDateTime>>,
}

impl PullLog {
    /// Whether a pull at `at` is to be written; if so it counts as written from now.
    pub fn should_write(
        &self,
        registry: &str,
        repository: &str,
        digest: &str,
        at: OffsetDateTime,
    ) -> bool {
        let mut written = self.written.lock().expect("pull log lock");
        if written.len() >= REMEMBERED {
            written.retain(|_, then| at - *then < WRITE_EVERY);
        }
        let key = (registry.into(), repository.into(), digest.into());
        match written.get(&key) {
            Some(then) if at - *then < WRITE_EVERY => false,
            _ => {
                written.insert(key, at);
                true
            }
        }
    }
}

/// A request the registry reported as a `pull` is a client's pull when it fetched the manifest
/// (GET; a HEAD only checks that it exists) and it was not Regatta itself (crawls, promotions).
pub fn is_client_pull(method: Option<&str>, user_agent: Option<&str>) -> bool {
    let fetched = method.is_none_or(|m| m.eq_ignore_ascii_case("GET"));
    let ours = user_agent.is_some_and(|agent| agent.starts_with("regatta/"));
    fetched && !ours
}

/// Notes a client's pull of `digest` from `repository` at `at`, unless one was written lately.
pub async fn note_pull(
    services: &crate::Services,
    registry: &str,
    repository: &str,
    digest: &str,
) -> Result<(), sqlx::Error> {
    let at = services.clock.now();
    if !services
        .pull_log
        .should_write(registry, repository, digest, at)
    {
        return Ok(());
    }
    super::store::pulls::record_pull(&services.db, registry, repository, digest, at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_is_written_once_per_image_every_few_minutes() {
        let log = PullLog::default();
        let t0 = OffsetDateTime::UNIX_EPOCH;
        assert!(log.should_write("r", "dev/app", "sha256:a", t0));
        assert!(!log.should_write("r", "dev/app", "sha256:a", t0 + Duration::minutes(4)));
        assert!(
            log.should_write("r", "dev/app", "sha256:b", t0),
            "another image"
        );
        assert!(
            log.should_write("r", "prod/app", "sha256:a", t0),
            "another repository"
        );
        assert!(log.should_write("r", "dev/app", "sha256:a", t0 + WRITE_EVERY));
    }

    #[test]
    fn head_requests_and_regattas_own_are_not_pulls() {
        assert!(is_client_pull(Some("GET"), Some("docker/27.0 go/go1.22")));
        assert!(is_client_pull(None, None));
        assert!(!is_client_pull(Some("HEAD"), Some("containerd/1.7")));
        assert!(!is_client_pull(Some("GET"), Some("regatta/0.1.0")));
    }
}
