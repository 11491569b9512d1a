use crate::api::load_dashboard;
use crate::components::{HeaderBar, Moment, PipelineStrip, RegistryCard, StorageAlertBanner};
use leptos::prelude::*;

/// The landing page: who you are, the registries Regatta fronts, and the promotion pipeline.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(data) => view! {
                        <HeaderBar />
                        <main>
                            <StorageAlertBanner alerts=data.storage_alerts.clone() />
                            {data.maintenance.iter().map(|(registry, since)| view! {
                                <p class="notice warn" role="status" aria-label="Maintenance">
                                    {format!("Registry {registry} is read-only for garbage collection since ")}
                                    <Moment when=*since />
                                    ". Pushes and Regatta's writes to it wait until it ends. "
                                    <a href=crate::routes::gc()>"Garbage collection"</a>
                                </p>
                            }).collect_view()}
                            <h2>"Pipeline"</h2>
                            <PipelineStrip environments=data.environments.clone() />
                            <h2>"Registries"</h2>
                            <section class="cards" aria-label="Registries">
                                {data.registries.into_iter().zip(data.indexes).zip(data.storage_trends).map(|((registry, index), trend)| view! { <RegistryCard registry index trend /> }).collect_view()}
                            </section>
                        </main>
                    }.into_any(),
                    Err(error) => view! {
                        <main class="narrow">
                            <p class="error" role="alert">{error.message.clone()}</p>
                            <p><a href="/login">"Log in"</a></p>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
