//! Scheduled collections: one schedule per registry, from its `[registry.gc] schedule`
//! (read-only here) or set by an admin on the /gc page; the job runs those that are due.

use super::{GcReport, GcRequest};
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::require_role;
use crate::schedule::Schedule;
use crate::users::{Role, User};
use crate::{DomainError, Services};

/// A registry's schedule, if it has one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GcSchedule {
    pub registry: String,
    pub schedule: String,
    /// Runs do the untagged cleanup first.
    pub untagged: bool,
    /// Set in the settings file: not editable on the page.
    pub managed_by_config: bool,
}

/// The schedule of every registry Regatta collects that has one, where `user` is a maintainer
/// or more.
pub async fn schedules(services: &Services, user: &User) -> Result<Vec<GcSchedule>, DomainError> {
    let maintained = super::maintained_registries(services, user);
    if maintained.is_empty() {
        require_role(user, Role::Maintainer)?;
    }
    let mut schedules = all_schedules(services).await?;
    schedules.retain(|s| maintained.contains(&s.registry.as_str()));
    Ok(schedules)
}

async fn all_schedules(services: &Services) -> Result<Vec<GcSchedule>, DomainError> {
    let stored: Vec<(String, String, bool)> =
        crate::db::query_as("SELECT registry, schedule, untagged FROM gc_schedules")
            .fetch_all(&services.db)
            .await?;
    let mut schedules = Vec::new();
    for registry in &services.settings.registries {
        let Some(gc) = &registry.gc else { continue };
        let schedule = match &gc.schedule {
            Some(schedule) => GcSchedule {
                registry: registry.name.clone(),
                schedule: schedule.clone(),
                untagged: gc.schedule_untagged,
                managed_by_config: true,
            },
            None => match stored.iter().find(|(name, ..)| *name == registry.name) {
                Some((_, schedule, untagged)) => GcSchedule {
                    registry: registry.name.clone(),
                    schedule: schedule.clone(),
                    untagged: *untagged,
                    managed_by_config: false,
                },
                None => continue,
            },
        };
        schedules.push(schedule);
    }
    Ok(schedules)
}

/// Sets (or with an empty `schedule`, removes) `registry`'s schedule (admin only, audited).
pub async fn save_schedule(
    services: &Services,
    actor: &Actor,
    registry: &str,
    schedule: &str,
    untagged: bool,
) -> Result<(), DomainError> {
    let result = save(services, actor, registry, schedule.trim(), untagged).await;
    let outcome = match &result {
        Ok(()) => Outcome::Ok,
        Err(DomainError::Forbidden { .. } | DomainError::NotAllowed(_)) => Outcome::Denied,
        Err(_) => Outcome::Error,
    };
    let detail = match &result {
        Ok(()) if schedule.trim().is_empty() => "removed".to_string(),
        Ok(()) => format!(
            "{}{}",
            schedule.trim(),
            if untagged { ", untagged cleanup" } else { "" }
        ),
        Err(error) => error.to_string(),
    };
    let event = AuditEvent::by(actor, AuditAction::GcScheduleSave)
        .target(registry)
        .outcome(outcome)
        .detail(&detail);
    audit::record_or_log(services, &event).await;
    result
}

async fn save(
    services: &Services,
    actor: &Actor,
    registry: &str,
    schedule: &str,
    untagged: bool,
) -> Result<(), DomainError> {
    crate::auth::require_read(&actor.user, &services.settings, registry)?;
    crate::auth::require_role_in(&actor.user, registry, Role::Admin)?;
    let config = super::driver_of(services, registry)?;
    if config.schedule.is_some() {
        return Err(DomainError::NotAllowed(format!(
            "The schedule of `{registry}` is set in the settings file; change it there."
        )));
    }
    if schedule.is_empty() {
        crate::db::query("DELETE FROM gc_schedules WHERE registry = ?")
            .bind(registry)
            .execute(&services.db)
            .await?;
        return Ok(());
    }
    Schedule::parse(schedule).map_err(DomainError::Invalid)?;
    crate::db::query(
        "INSERT INTO gc_schedules (registry, schedule, untagged, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (registry) DO UPDATE SET schedule = excluded.schedule,
             untagged = excluded.untagged, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at",
    )
    .bind(registry)
    .bind(schedule)
    .bind(untagged)
    .bind(&actor.user.username)
    .bind(services.clock.now())
    .execute(&services.db)
    .await?;
    Ok(())
}

/// Runs every scheduled collection that is due now, one after the other, as Regatta itself;
/// returns their reports (failed runs included: they are recorded like any other).
pub async fn run_due(services: &Services) -> Result<Vec<GcReport>, DomainError> {
    let now = services.clock.now();
    let actor = Actor::system("schedule");
    let mut reports = Vec::new();
    for entry in all_schedules(services).await? {
        let Ok(schedule) = Schedule::parse(&entry.schedule) else {
            continue;
        };
        let last: crate::db::MaybeTextTime = crate::db::query_scalar(
            "SELECT MAX(started_at) FROM gc_runs WHERE registry = ? AND trigger = 'schedule'",
        )
        .bind(&entry.registry)
        .fetch_one(&services.db)
        .await?;
        let last = last.0;
        if !schedule.is_due(last, now) {
            continue;
        }
        let request = GcRequest {
            registry: entry.registry.clone(),
            dry_run: false,
            untagged: entry.untagged,
            trigger: Some("schedule".into()),
        };
        match super::run(services, &actor, &request).await {
            Ok(report) => reports.push(report),
            Err(error) => tracing::warn!(registry = entry.registry, %error, "scheduled GC"),
        }
    }
    Ok(reports)
}
