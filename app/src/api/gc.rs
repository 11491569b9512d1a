//! Garbage collection server functions: the overview (drivers, maintenance, predictions,
//! history), running a collection, what runs now, and one run with its log. The run form works
//! as a plain post before hydration: the outcome is a redirect to the run's page.

use crate::dto::{GcOverview, GcProgressItem, GcRunDetails, GcRunItem};
use crate::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "gc")]
pub async fn load_gc() -> Result<GcOverview, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    gc_ssr::overview(&services, &user)
        .await
        .map_err(from_domain)
}

/// `dry_run` and `untagged` are checkboxes: present means on.
#[server(prefix = "/api", endpoint = "gc-run")]
pub async fn run_gc(
    registry: String,
    dry_run: Option<String>,
    untagged: Option<String>,
) -> Result<GcRunItem, AppError> {
    use crate::ssr::{actor, form_outcome, services};
    use regatta_core::gc::{self, GcRequest};
    let services = services()?;
    let actor = actor(&services).await?;
    let request = GcRequest {
        registry,
        dry_run: dry_run.is_some(),
        untagged: untagged.is_some(),
        trigger: None,
    };
    let result = gc::run(&services, &actor, &request)
        .await
        .map(|report| GcRunItem::from(&report.run));
    form_outcome(result, |run| crate::routes::gc_run(run.id), "/gc").await
}

/// An empty `schedule` removes it; `untagged` is a checkbox.
#[server(prefix = "/api", endpoint = "gc-schedule")]
pub async fn save_gc_schedule(
    registry: String,
    schedule: String,
    untagged: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::gc::save_schedule(
        &services,
        &actor,
        &registry,
        &schedule,
        untagged.is_some(),
    )
    .await;
    form_outcome(result, |_| "/gc?saved=schedule".into(), "/gc").await
}

#[server(prefix = "/api", endpoint = "gc-running")]
pub async fn running_gc() -> Result<Vec<GcProgressItem>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let running = regatta_core::gc::running(&services, &user)
        .await
        .map_err(from_domain)?;
    Ok(running.iter().map(Into::into).collect())
}

#[server(prefix = "/api", endpoint = "gc-run-details")]
pub async fn load_gc_run(id: i64) -> Result<GcRunDetails, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let (run, log) = regatta_core::gc::run_details(&services, &user, id)
        .await
        .map_err(from_domain)?;
    Ok(GcRunDetails {
        run: (&run).into(),
        log,
    })
}

#[cfg(feature = "ssr")]
mod gc_ssr {
    use crate::dto::{GcOverview, GcRegistry};
    use regatta_core::auth::role_in_registry;
    use regatta_core::gc;
    use regatta_core::users::{Role, User};
    use regatta_core::{DomainError, Services};

    /// Each registry's state and prediction (with the untagged cleanup: the page says which
    /// part needs it), and the latest runs.
    pub async fn overview(services: &Services, user: &User) -> Result<GcOverview, DomainError> {
        let runs = gc::history(services, user, None, 50).await?;
        let in_maintenance = gc::registries_in_maintenance(services).await?;
        let running = gc::running(services, user).await?;
        let schedules = gc::schedules(services, user).await?;
        let mut registries = Vec::new();
        let maintained = gc::maintained_registries(services, user);
        let registries_shown =
            (services.settings.registries.iter()).filter(|r| maintained.contains(&r.name.as_str()));
        for registry in registries_shown {
            let name = registry.name.as_str();
            let not_run_because = gc::driver_of(services, name).err().map(|e| e.to_string());
            let harbor = (registry.gc.as_ref())
                .is_some_and(|c| c.kind == regatta_core::config::GcKind::Harbor);
            let harbor_jobs = match harbor {
                true => Some(
                    gc::harbor_history(services, user, name, 10)
                        .await
                        .map(|jobs| jobs.iter().map(Into::into).collect())
                        .map_err(|e| e.to_string()),
                ),
                false => None,
            };
            let prediction = match not_run_because {
                None => Some((&gc::prediction(services, user, name, true).await?).into()),
                Some(_) => None,
            };
            registries.push(GcRegistry {
                name: name.to_string(),
                not_run_because,
                maintenance_since: in_maintenance
                    .iter()
                    .find(|(r, _)| r == name)
                    .map(|(_, since)| (*since).into()),
                running: running.iter().find(|p| p.registry == name).map(Into::into),
                prediction,
                schedule: schedules
                    .iter()
                    .find(|s| s.registry == name)
                    .map(|s| (s.schedule.clone(), s.untagged, s.managed_by_config)),
                harbor_jobs,
                may_run: role_in_registry(user, name) >= Role::Admin,
            });
        }
        Ok(GcOverview {
            registries,
            runs: runs.iter().map(Into::into).collect(),
        })
    }
}
