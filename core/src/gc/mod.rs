//! Garbage collection: the only thing that frees a registry's space, run safely. Before a run,
//! a prediction from the index says what it will free (and which trash entries it makes
//! unrestorable); Regatta's untagged cleanup replaces distribution's unsafe
//! `--delete-untagged`; the registry is read-only for the collect step (a maintenance window
//! Regatta's own writes wait for); every run is recorded with the registry's own counts and
//! its full log.
//!
//! Drivers (`[registry.gc] kind`): `command` runs configured commands on Regatta's host (CNCF
//! distribution has no API for it); `harbor` goes through Harbor's GC API. A registry without a
//! driver is not collected by Regatta.
//! The driver is an enum matched in [`run`], not a trait object: there are two, and each needs
//! its own settings.

mod cleanup;
mod command;
mod events;
mod harbor;
mod log;
mod maintenance;
mod output;
mod predict;
mod recover;
mod run;
mod schedules;
mod store;

pub use harbor::{HarborClient, HarborFreed, HarborJob};
pub use maintenance::{
    in_maintenance_since, registries_in_maintenance, writing, MaintenanceGates, WritePermit,
};
pub use output::CollectOutput;
pub use predict::{GcPrediction, RepositoryFreed, TrashLoss, UntaggedCandidate};
pub use recover::recover_interrupted;
pub use run::{GcReport, GcRequest};
pub use schedules::{run_due, save_schedule, schedules, GcSchedule};
pub use store::GcRun;

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::{may_read, require_read, require_role, require_role_in, role_in_registry};
use crate::config::GcConfig;
use crate::users::{Role, User};
use crate::{DomainError, Services};
use std::collections::HashMap;
use std::sync::Mutex;

/// How Regatta collects `registry`, or why it does not.
pub fn driver_of<'a>(services: &'a Services, registry: &str) -> Result<&'a GcConfig, DomainError> {
    let config = services
        .settings
        .registry(registry)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{registry}`")))?;
    config.gc.as_ref().ok_or_else(|| {
        DomainError::NotAllowed(format!(
            "Garbage collection is not run by Regatta here: registry `{registry}` has no \
             [registry.gc] driver in the settings. Space is freed only when the registry's own \
             garbage collection runs on its host (distribution: `registry garbage-collect`); \
             configure a driver so Regatta can run it safely."
        ))
    })
}

/// What a collection of `registry` would free (maintainer and up).
pub async fn prediction(
    services: &Services,
    user: &User,
    registry: &str,
    untagged: bool,
) -> Result<GcPrediction, DomainError> {
    require_read(user, &services.settings, registry)?;
    require_role_in(user, registry, Role::Maintainer)?;
    predict::predict(services, registry, untagged).await
}

/// Runs a collection (admin only) as a server task: a client that hangs up cannot stop it
/// half-way (with the registry read-only). Refusals are audited too.
pub async fn run(
    services: &Services,
    actor: &Actor,
    request: &GcRequest,
) -> Result<GcReport, DomainError> {
    let allowed = require_read(&actor.user, &services.settings, &request.registry)
        .and_then(|()| require_role_in(&actor.user, &request.registry, Role::Admin))
        .and_then(|()| driver_of(services, &request.registry).cloned());
    let config = match allowed {
        Ok(config) => config,
        Err(error) => {
            let message = error.to_string();
            let event = AuditEvent::by(actor, AuditAction::GcRun)
                .target(&request.registry)
                .outcome(Outcome::Denied)
                .detail(&message);
            audit::record_or_log(services, &event).await;
            return Err(error);
        }
    };
    let (owned, actor, request) = (services.clone(), actor.clone(), request.clone());
    services
        .tasks
        .run(async move { run::execute(&owned, &actor, &request, &config).await })
        .await?
}

/// The latest runs, newest first, of `registry` or of every registry where `user` is a
/// maintainer or more.
pub async fn history(
    services: &Services,
    user: &User,
    registry: Option<&str>,
    limit: i64,
) -> Result<Vec<GcRun>, DomainError> {
    let names: Vec<&str> = match registry {
        Some(name) => {
            require_read(user, &services.settings, name)?;
            require_role_in(user, name, Role::Maintainer)?;
            vec![name]
        }
        None => {
            let names = maintained_registries(services, user);
            if names.is_empty() {
                // The global role names what is missing.
                require_role(user, Role::Maintainer)?;
            }
            names
        }
    };
    Ok(store::runs(&services.db, &names, limit.clamp(1, 1000)).await?)
}

/// Harbor's own latest GC jobs for a `harbor` registry — also those started in Harbor (its
/// schedule, its UI), not by Regatta (maintainer and up).
pub async fn harbor_history(
    services: &Services,
    user: &User,
    registry: &str,
    limit: u32,
) -> Result<Vec<HarborJob>, DomainError> {
    require_read(user, &services.settings, registry)?;
    require_role_in(user, registry, Role::Maintainer)?;
    let config = driver_of(services, registry)?;
    if config.kind != crate::config::GcKind::Harbor {
        return Err(DomainError::Invalid(format!(
            "`{registry}` is not collected through Harbor."
        )));
    }
    let registry_config = services
        .settings
        .registry(registry)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{registry}`")))?;
    let client = HarborClient::new(registry_config, config, &services.settings.shared_secrets)?;
    client.history(limit.clamp(1, 100)).await
}

/// One run and its full log (maintainer and up).
pub async fn run_details(
    services: &Services,
    user: &User,
    id: i64,
) -> Result<(GcRun, String), DomainError> {
    let not_found = || DomainError::NotFound(format!("Garbage collection run #{id}"));
    let run = store::run(&services.db, id).await?.ok_or_else(not_found)?;
    require_read(user, &services.settings, &run.registry).map_err(|_| not_found())?;
    require_role_in(user, &run.registry, Role::Maintainer)?;
    let log = store::run_log(&services.db, id)
        .await?
        .ok_or_else(not_found)?;
    Ok((run, log))
}

/// A run in this process, and the step it is at (for the pages' progress).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GcProgress {
    pub registry: String,
    pub run_id: Option<i64>,
    /// `predicting`, `untagged cleanup`, `maintenance_on`, `collect`, `maintenance_off`,
    /// `refreshing the index`.
    pub stage: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: time::OffsetDateTime,
}

/// Registries with a run in this process (one at a time per registry), with its progress.
#[derive(Debug, Default)]
pub struct RunningCollections(Mutex<HashMap<String, GcProgress>>);

impl RunningCollections {
    fn claim(
        &self,
        registry: &str,
        now: time::OffsetDateTime,
        db: crate::db::Db,
    ) -> Result<Claim<'_>, DomainError> {
        let mut running = self.0.lock().expect("running collections");
        if running.contains_key(registry) {
            return Err(DomainError::Conflict(format!(
                "A garbage collection of `{registry}` is running already."
            )));
        }
        let progress = GcProgress {
            registry: registry.to_string(),
            run_id: None,
            stage: "predicting".into(),
            started_at: now,
        };
        running.insert(registry.to_string(), progress);
        Ok(Claim {
            set: self,
            registry: registry.to_string(),
            db,
        })
    }

    /// The runs of this process, by registry name.
    pub fn running(&self) -> Vec<GcProgress> {
        let mut running: Vec<GcProgress> = self
            .0
            .lock()
            .expect("running collections")
            .values()
            .cloned()
            .collect();
        running.sort_by(|a, b| a.registry.cmp(&b.registry));
        running
    }
}

/// A registry's place in [`RunningCollections`], given back when the run ends however it ends.
struct Claim<'a> {
    set: &'a RunningCollections,
    registry: String,
    /// Where the stage is written too, for the other replicas' pages.
    db: crate::db::Db,
}

impl Claim<'_> {
    fn update(&self, change: impl FnOnce(&mut GcProgress)) {
        if let Some(progress) = self
            .set
            .0
            .lock()
            .expect("running collections")
            .get_mut(&self.registry)
        {
            change(progress);
        }
    }

    pub(crate) async fn stage(&self, stage: &str) {
        let mut run_id = None;
        self.update(|p| {
            p.stage = stage.to_string();
            run_id = p.run_id;
        });
        let Some(id) = run_id else { return };
        let written = crate::db::query("UPDATE gc_runs SET stage = ? WHERE id = ?")
            .bind(stage)
            .bind(id)
            .execute(&self.db)
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, id, "could not record a collection's stage");
        }
    }

    pub(crate) fn run_id(&self, id: i64) {
        self.update(|p| p.run_id = Some(id));
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .expect("running collections")
            .remove(&self.registry);
    }
}

/// Collections running now on any live replica, of the registries `user` may read (the
/// banner and progress show them): this replica's from memory, the others' from their rows.
pub async fn running(services: &Services, user: &User) -> Result<Vec<GcProgress>, DomainError> {
    let mut running = services.gc_running.running();
    let alive_since = services.replica.alive_since(services.clock.now());
    let elsewhere: Vec<(String, i64, Option<String>, time::OffsetDateTime)> =
        crate::db::query_as(&format!(
            "SELECT registry, id, stage, started_at FROM gc_runs
             WHERE status = 'running' AND replica <> ? AND NOT {}",
            crate::replicas::interrupted::REPLICA_IS_DEAD
        ))
        .bind(&services.replica.id)
        .bind(alive_since)
        .fetch_all(&services.db)
        .await?;
    running.extend(
        elsewhere
            .into_iter()
            .map(|(registry, id, stage, started_at)| GcProgress {
                registry,
                run_id: Some(id),
                stage: stage.unwrap_or_else(|| "starting".into()),
                started_at,
            }),
    );
    running.sort_by(|a, b| a.registry.cmp(&b.registry));
    running.retain(|progress| may_read(user, &progress.registry));
    Ok(running)
}

/// The registries where `user` is a maintainer or more: whose collections they may see.
pub fn maintained_registries<'a>(services: &'a Services, user: &User) -> Vec<&'a str> {
    services
        .settings
        .registries
        .iter()
        .map(|r| r.name.as_str())
        .filter(|name| role_in_registry(user, name) >= Role::Maintainer)
        .collect()
}
