use crate::dto::StorageOverview;
use crate::AppError;
use leptos::prelude::*;

/// Storage now and over time, for every registry the caller may read (or `registry` alone),
/// the charts split `by` environment (the default) or namespace; `range` (24h, 7d, 30d the
/// default, 1y) is the chart shown first.
#[server(prefix = "/api", endpoint = "storage")]
pub async fn load_storage(
    registry: Option<String>,
    by: Option<String>,
    range: Option<String>,
) -> Result<StorageOverview, AppError> {
    use crate::dto::RegistryStorage;
    use crate::ssr::{current_user, from_domain, services};
    use regatta_core::storage::{active_alerts, recent_alerts, storage_history, Grouping, Range};
    let services = services()?;
    let user = current_user(&services).await?;
    let by = Grouping::parse(by.as_deref().unwrap_or("environment")).map_err(from_domain)?;
    let range = Range::parse(range.as_deref().unwrap_or_default()).map_err(from_domain)?;
    let histories = storage_history(&services, &user, registry.as_deref(), by)
        .await
        .map_err(from_domain)?;
    let now = services.clock.now();
    let mut registries = Vec::with_capacity(histories.len());
    for history in histories {
        let alerts = recent_alerts(&services, &history.registry, 10)
            .await
            .map_err(from_domain)?;
        registries.push(RegistryStorage::new(history, alerts, now));
    }
    let shown: Vec<&str> = registries.iter().map(|r| r.name.as_str()).collect();
    let active = active_alerts(&services).await.map_err(from_domain)?;
    Ok(StorageOverview {
        by: by.as_str().to_string(),
        range: range.as_str().to_string(),
        active_alerts: active
            .into_iter()
            .filter(|a| shown.contains(&a.registry.as_str()))
            .map(Into::into)
            .collect(),
        registries,
    })
}
