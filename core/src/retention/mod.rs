//! Retention policies: which tags to keep (the N most recent, pushed or pulled lately, names
//! matching patterns, promoted further down the pipeline), a mandatory preview of what goes
//! and what it frees, and a run that deletes exactly the previewed set. Policies come from
//! `[[retention]]` in regatta.toml (read-only here: "managed by config") or from the
//! /retention page (stored). Maintainers and admins preview, run and edit; runs on a schedule
//! act as Regatta itself.

pub mod policy;
mod preview;
mod run;
mod store;

pub use policy::{KeepRules, Kept, RetentionPolicy, Schedule};
pub use preview::{Candidate, RepositoryCandidates, RetentionPreview};
pub use run::RetentionReport;
pub use store::RunRow;

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::{highest_role, may_read, require_role, role_in_environment, role_in_registry};
use crate::config::Settings;
use crate::users::{Role, User};
use crate::{DomainError, Services};

/// A policy and where it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEntry {
    pub policy: RetentionPolicy,
    /// From `[[retention]]`: edited in regatta.toml, not on the page.
    pub managed_by_config: bool,
}

/// Every policy of a registry `user` may read, those of the configuration first.
pub async fn policies(services: &Services, user: &User) -> Result<Vec<PolicyEntry>, DomainError> {
    let mut entries = all_policies(services).await?;
    entries.retain(|entry| may_read(user, &entry.policy.registry));
    Ok(entries)
}

/// Whether `user` may edit, preview and run `policy`: a maintainer where it deletes (its
/// environment, or its whole registry).
pub fn may_manage(user: &User, settings: &Settings, policy: &RetentionPolicy) -> bool {
    require_maintainer(user, settings, policy).is_ok()
}

/// Refuses early, before a policy is looked up, someone who is a maintainer nowhere.
fn require_maintainer_somewhere(user: &User) -> Result<(), DomainError> {
    match highest_role(user) >= Role::Maintainer {
        true => Ok(()),
        false => require_role(user, Role::Maintainer),
    }
}

pub fn require_maintainer(
    user: &User,
    settings: &Settings,
    policy: &RetentionPolicy,
) -> Result<(), DomainError> {
    let environment = policy
        .environment
        .as_ref()
        .and_then(|name| settings.environments.iter().find(|e| &e.name == name));
    let (role, place) = match environment {
        Some(environment) => (
            role_in_environment(user, environment),
            environment.name.as_str(),
        ),
        None => (
            role_in_registry(user, &policy.registry),
            policy.registry.as_str(),
        ),
    };
    if role >= Role::Maintainer {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            have: format!("{role} in {place}"),
            need: Role::Maintainer.to_string(),
        })
    }
}

async fn all_policies(services: &Services) -> Result<Vec<PolicyEntry>, DomainError> {
    let configured = services
        .settings
        .retention
        .iter()
        .map(|policy| PolicyEntry {
            policy: policy.clone(),
            managed_by_config: true,
        });
    let stored = store::stored_policies(&services.db).await?;
    Ok(configured
        .chain(stored.into_iter().map(|policy| PolicyEntry {
            policy,
            managed_by_config: false,
        }))
        .collect())
}

pub async fn find_policy(services: &Services, name: &str) -> Result<RetentionPolicy, DomainError> {
    all_policies(services)
        .await?
        .into_iter()
        .find(|entry| entry.policy.name == name)
        .map(|entry| entry.policy)
        .ok_or_else(|| DomainError::NotFound(format!("Retention policy `{name}`")))
}

/// The registry and environment a policy names exist, and the environment is that registry's.
pub fn check_scope(settings: &Settings, policy: &RetentionPolicy) -> Result<(), DomainError> {
    settings.registry(&policy.registry).ok_or_else(|| {
        DomainError::Invalid(format!("No registry is named `{}`.", policy.registry))
    })?;
    if let Some(name) = &policy.environment {
        let environment = settings
            .environments
            .iter()
            .find(|e| &e.name == name)
            .ok_or_else(|| DomainError::Invalid(format!("No environment is named `{name}`.")))?;
        if environment.registry != policy.registry {
            return Err(DomainError::Invalid(format!(
                "Environment `{name}` is in registry `{}`, not `{}`.",
                environment.registry, policy.registry
            )));
        }
    }
    Ok(())
}

/// Stores a policy made or edited on the page (maintainer and up).
pub async fn save_policy(
    services: &Services,
    actor: &Actor,
    policy: RetentionPolicy,
) -> Result<(), DomainError> {
    let result = save_checked(services, actor, &policy).await;
    audit_policy(
        services,
        actor,
        AuditAction::RetentionPolicySave,
        &policy.name,
        &result,
    )
    .await;
    result
}

async fn save_checked(
    services: &Services,
    actor: &Actor,
    policy: &RetentionPolicy,
) -> Result<(), DomainError> {
    policy::validate(policy).map_err(DomainError::Invalid)?;
    check_scope(&services.settings, policy)?;
    require_maintainer(&actor.user, &services.settings, policy)?;
    if services
        .settings
        .retention
        .iter()
        .any(|p| p.name == policy.name)
    {
        return Err(DomainError::NotAllowed(format!(
            "Policy `{}` is managed by the configuration (regatta.toml): edit it there.",
            policy.name
        )));
    }
    let now = services.clock.now();
    Ok(store::save_policy(&services.db, policy, &actor.user.username, now).await?)
}

pub async fn delete_policy(
    services: &Services,
    actor: &Actor,
    name: &str,
) -> Result<(), DomainError> {
    let result = async {
        require_maintainer_somewhere(&actor.user)?;
        let policy = find_policy(services, name).await?;
        require_maintainer(&actor.user, &services.settings, &policy)?;
        if services.settings.retention.iter().any(|p| p.name == name) {
            return Err(DomainError::NotAllowed(format!(
                "Policy `{name}` is managed by the configuration (regatta.toml): remove it there."
            )));
        }
        match store::delete_policy(&services.db, name).await? {
            true => Ok(()),
            false => Err(DomainError::NotFound(format!("Retention policy `{name}`"))),
        }
    }
    .await;
    audit_policy(
        services,
        actor,
        AuditAction::RetentionPolicyDelete,
        name,
        &result,
    )
    .await;
    result
}

async fn audit_policy(
    services: &Services,
    actor: &Actor,
    action: AuditAction,
    name: &str,
    result: &Result<(), DomainError>,
) {
    let (outcome, detail) = match result {
        Ok(()) => (Outcome::Ok, String::new()),
        Err(DomainError::Forbidden { .. } | DomainError::NotAllowed(_)) => {
            (Outcome::Denied, result.as_ref().unwrap_err().to_string())
        }
        Err(error) => (Outcome::Error, error.to_string()),
    };
    let event = AuditEvent::by(actor, action)
        .target(name)
        .outcome(outcome)
        .detail(&detail);
    audit::record_or_log(services, &event).await;
}

/// How a preview came to be: by hand on the page, by the schedule, or from the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Schedule,
    Cli,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Schedule => "schedule",
            Trigger::Cli => "cli",
        }
    }
}

/// Evaluates the policy now and keeps the preview (its candidates are what a run deletes).
pub async fn preview(
    services: &Services,
    actor: &Actor,
    name: &str,
    trigger: Trigger,
) -> Result<(i64, RetentionPreview), DomainError> {
    require_maintainer_somewhere(&actor.user)?;
    let policy = find_policy(services, name).await?;
    require_maintainer(&actor.user, &services.settings, &policy)?;
    let preview = preview::compute(services, &policy).await?;
    let id = store::insert_preview(
        &services.db,
        &store::NewPreview {
            policy: &policy.name,
            registry: &policy.registry,
            trigger: trigger.as_str(),
            requested_by: &actor.user.username,
            at: services.clock.now(),
            candidates: preview.candidates,
            bytes_freed: preview.bytes_freed,
            preview: &serde_json::to_string(&preview).expect("a preview serializes"),
        },
    )
    .await?;
    Ok((id, preview))
}

/// Deletes exactly the candidates of preview `run_id`, as a server task.
pub async fn run(
    services: &Services,
    actor: &Actor,
    run_id: i64,
) -> Result<RetentionReport, DomainError> {
    // The rights are checked against the preview's policy in the task too (run.rs).
    require_maintainer_somewhere(&actor.user)?;
    let (owned, actor) = (services.clone(), actor.clone());
    services
        .tasks
        .run(async move { run::run_preview(&owned, &actor, run_id).await })
        .await?
}

/// Preview and run at once: what a schedule and `regatta retention run` do.
pub async fn preview_and_run(
    services: &Services,
    actor: &Actor,
    name: &str,
    trigger: Trigger,
) -> Result<(RetentionPreview, RetentionReport), DomainError> {
    let (id, preview) = self::preview(services, actor, name, trigger).await?;
    let report = run(services, actor, id).await?;
    Ok((preview, report))
}

/// A stored preview or run.
pub async fn run_record(services: &Services, user: &User, id: i64) -> Result<RunRow, DomainError> {
    store::run(&services.db, id)
        .await?
        .filter(|row| may_read(user, &row.registry))
        .ok_or_else(|| DomainError::NotFound(format!("Retention run #{id}")))
}

/// The latest previews and runs, newest first.
pub async fn history(
    services: &Services,
    user: &User,
    limit: i64,
) -> Result<Vec<RunRow>, DomainError> {
    let mut runs = store::recent_runs(&services.db, limit.clamp(1, 500)).await?;
    runs.retain(|row| may_read(user, &row.registry));
    Ok(runs)
}

/// The policies whose schedule says they are due now.
pub async fn due_policies(services: &Services) -> Result<Vec<String>, DomainError> {
    let now = services.clock.now();
    let mut due = Vec::new();
    for entry in all_policies(services).await? {
        let Some(schedule) = entry.policy.schedule.as_deref() else {
            continue;
        };
        let Ok(schedule) = Schedule::parse(schedule) else {
            continue;
        };
        let last = store::last_scheduled_run(&services.db, &entry.policy.name).await?;
        if schedule.is_due(last, now) {
            due.push(entry.policy.name);
        }
    }
    Ok(due)
}
