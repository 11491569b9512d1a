use crate::api::load_storage;
use crate::components::{HeaderBar, Moment, StorageAlertBanner, StorageChart};
use crate::dto::{
    AlertItem, BigLayerItem, GrowerItem, RegistryStorage, ScopeFigures, StorageOverview,
    UntaggedFigures, UnusedFigures,
};
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const RANGE_LABELS: [(&str, &str); 4] = [
    ("24h", "24 h"),
    ("7d", "7 d"),
    ("30d", "30 d"),
    ("1y", "1 y"),
];

/// `/storage`: per registry, what it stores now (logical, stored, exclusive, shared), how that
/// changed (a stacked chart per range, switched without a reload or any WASM: the four charts
/// are in the page and radio buttons show one), how fast it grows and when it is full, and the
/// largest and fastest-growing repositories. `?by=environment|namespace&range=…&registry=…`.
#[component]
pub fn StoragePage() -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        let query = query.read();
        (query.get("registry"), query.get("by"), query.get("range"))
    };
    let overview = Resource::new(asked, |(registry, by, range)| {
        load_storage(registry, by, range)
    });
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Storage"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Overview overview /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Overview(overview: StorageOverview) -> impl IntoView {
    let StorageOverview {
        by,
        range,
        registries,
        active_alerts,
    } = overview;
    let split = ["environment", "namespace"].map(|option| {
        let href = routes::storage(&option_if(option, "environment"), &option_if(&range, "30d"));
        let current = (option == by).then_some("page");
        view! { <a href=href aria-current=current>{format!("by {option}")}</a> }
    });
    let csv = routes::storage_csv(&by);
    let empty = registries.is_empty();
    view! {
        <StorageAlertBanner alerts=active_alerts />
        <nav class="toolbar" aria-label="Split">
            <span class="muted">"Stacked "</span>{split}
            <a href=csv download="regatta-storage.csv">"Download CSV"</a>
        </nav>
        {empty.then(|| view! { <p class="empty">"No registry is configured."</p> })}
        {registries.into_iter().map(|registry| view! { <RegistrySection registry range=range.clone() /> }).collect_view()}
    }
}

/// `value`, or nothing when it is the default (kept out of the address).
fn option_if(value: &str, default: &str) -> String {
    match value == default {
        true => String::new(),
        false => value.to_string(),
    }
}

#[component]
fn RegistrySection(registry: RegistryStorage, range: String) -> impl IntoView {
    let name = registry.name.clone();
    let switch = format!("range-{name}");
    let radios = RANGE_LABELS.map(|(value, label)| {
        let id = format!("{switch}-{value}");
        view! {
            <input type="radio" name=switch.clone() id=id.clone() value=value checked=value == range />
            <label for=id>{label}</label>
        }
    });
    let charts = registry
        .charts
        .iter()
        .cloned()
        .map(|chart| view! { <figure><StorageChart registry=name.clone() chart /></figure> })
        .collect_view();
    view! {
        <section class="storage-registry" aria-label=format!("Storage of {name}")>
            <h2><a href=routes::registry(&name)>{name.clone()}</a></h2>
            <Figures registry=registry.clone() />
            <div class="ranges" role="group" aria-label="Range">
                {radios}
                <div class="charts">{charts}</div>
            </div>
            <AlertList rows=registry.alerts />
            <LargestTable rows=registry.largest />
            <GrowersTable rows=registry.growers />
            <UnusedTable unused=registry.unused />
            <UntaggedTable registry=name.clone() untagged=registry.untagged.clone() />
            <LayersTable registry=name.clone() rows=registry.biggest_layers />
        </section>
    }
}

#[component]
fn Figures(registry: RegistryStorage) -> impl IntoView {
    let Some(latest) = registry.latest else {
        return view! { <p class="muted">"No snapshot yet: the first is taken after the first crawl."</p> }.into_any();
    };
    let rate = |rate: Option<f64>| match rate {
        Some(bytes) if bytes < 0.0 => format!("−{}/day", format::human_size((-bytes) as u64)),
        Some(bytes) => format!("+{}/day", format::human_size(bytes as u64)),
        None => "not enough snapshots yet".to_string(),
    };
    let forecast = match (registry.capacity_bytes, registry.full_in_days) {
        (None, _) => "no capacity configured ([registry.storage] capacity_bytes)".to_string(),
        (Some(_), Some(days)) if days <= 0.0 => "full".to_string(),
        (Some(_), Some(days)) => format!("full in ~{} days at the 30-day rate", days.ceil() as u64),
        (Some(_), None) => "not growing".to_string(),
    };
    let used = registry.capacity_bytes.map(|capacity| {
        format!(
            "{} of {} ({:.0}%)",
            format::human_size(latest.stored_bytes),
            format::human_size(capacity),
            latest.stored_bytes as f64 / capacity as f64 * 100.0
        )
    });
    let unused = match (&registry.details_at, &registry.unused) {
        (None, _) => None,
        (Some(_), None) => Some("unknown: this registry sends no pull notifications".to_string()),
        (Some(_), Some(unused)) => Some(unused_sentence(unused)),
    };
    view! {
        <dl class="figures">
            <div><dt>"Stored"</dt><dd>{used.unwrap_or_else(|| format::human_size(latest.stored_bytes))}</dd></div>
            <div><dt>"Logical"</dt><dd>{format::human_size(latest.logical_bytes)}</dd></div>
            <div><dt>"Shared"</dt><dd>{format::human_size(latest.shared_bytes)}</dd></div>
            <div><dt>"Contents"</dt><dd>{format!("{} repositories, {} tags, {} blobs", latest.repositories, latest.tags, latest.blobs)}</dd></div>
            <div><dt>"Growth (7 d)"</dt><dd>{rate(registry.growth_7d)}</dd></div>
            <div><dt>"Growth (30 d)"</dt><dd>{rate(registry.growth_30d)}</dd></div>
            <div><dt>"Forecast"</dt><dd>{forecast}</dd></div>
            {unused.map(|unused| view! { <div><dt>"Unused"</dt><dd>{unused}</dd></div> })}
            {registry.untagged.as_ref().map(|u| {
                let said = format!(
                    "{}, deleting them frees {}",
                    format::count(u.manifests as usize, "manifest", "manifests"),
                    format::human_size(u.exclusive_bytes)
                );
                view! { <div><dt>"Untagged"</dt><dd>{said}</dd></div> }
            })}
        </dl>
    }
    .into_any()
}

#[component]
fn LargestTable(rows: Vec<ScopeFigures>) -> impl IntoView {
    (!rows.is_empty()).then(|| view! {
        <table class="storage-table" aria-label="Largest repositories">
            <caption>"Largest repositories"</caption>
            <thead><tr><th>"Repository"</th><th>"Stored"</th><th>"Exclusive"</th><th>"Logical"</th><th>"Tags"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td class="mono">{row.scope}</td>
                        <td>{format::human_size(row.usage.stored_bytes)}</td>
                        <td>{format::human_size(row.usage.exclusive_bytes)}</td>
                        <td>{format::human_size(row.usage.logical_bytes)}</td>
                        <td>{row.usage.tags}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    })
}

#[component]
fn GrowersTable(rows: Vec<GrowerItem>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="storage-table" aria-label="Top growers over 7 days">
                <caption>"Top growers over 7 days"</caption>
                <thead><tr><th>"Repository"</th><th>"Grew by"</th><th>"Stored now"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td class="mono">{row.repository}</td>
                            <td>{format!("+{}", format::human_size(row.grown_bytes))}</td>
                            <td>{format::human_size(row.stored_bytes)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

/// "3 tags not pulled or pushed for 30 days: 1.2 GB, deleting them frees 800 MB".
fn unused_sentence(unused: &UnusedFigures) -> String {
    let window = match unused.complete {
        true => format!("for {} days", unused.after_days),
        false => "since pull times are known".to_string(),
    };
    format!(
        "{} not pulled or pushed {window}: {}, deleting them frees {}",
        format::count(unused.tags as usize, "tag", "tags"),
        format::human_size(unused.logical_bytes),
        format::human_size(unused.exclusive_bytes)
    )
}

#[component]
fn UnusedTable(unused: Option<UnusedFigures>) -> impl IntoView {
    let rows = unused.map(|u| u.largest).unwrap_or_default();
    (!rows.is_empty()).then(|| {
        view! {
            <table class="storage-table" aria-label="Largest unused tags">
                <caption>"Largest unused tags"</caption>
                <thead><tr><th>"Tag"</th><th>"Size"</th><th>"Last pulled"</th><th>"Pushed"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td class="mono">{format!("{}:{}", row.repository, row.tag)}</td>
                            <td>{format::human_size(row.size_bytes)}</td>
                            <td class="nowrap">{match row.last_pulled {
                                Some(when) => view! { <Moment when /> }.into_any(),
                                None => view! { <span class="muted">"not since known"</span> }.into_any(),
                            }}</td>
                            <td class="nowrap">{row.pushed_at.map(|when| view! { <Moment when /> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

#[component]
fn UntaggedTable(registry: String, untagged: Option<UntaggedFigures>) -> impl IntoView {
    let rows = untagged.map(|u| u.largest).unwrap_or_default();
    (!rows.is_empty()).then(|| {
        view! {
            <table class="storage-table" aria-label="Untagged manifests">
                <caption>"Untagged manifests (no tag reaches them; the registry keeps them)"</caption>
                <thead><tr><th>"Manifest"</th><th>"Size"</th><th>"Untagged since"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(repository, digest, since, size)| view! {
                        <tr>
                            <td class="mono" title=digest.clone()>
                                <a href=routes::digest(&registry, &repository, &digest)>
                                    {format!("{repository}@{}", format::short_digest(&digest))}
                                </a>
                            </td>
                            <td>{format::human_size(size)}</td>
                            <td class="nowrap">{since.map(|when| view! { <Moment when /> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

#[component]
fn LayersTable(registry: String, rows: Vec<BigLayerItem>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="storage-table" aria-label="Biggest layers">
                <caption>"Biggest layers"</caption>
                <thead><tr><th>"Layer"</th><th>"Size"</th><th>"Images"</th><th>"Repositories"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td class="mono" title=row.digest.clone()>
                                <a href=routes::search(&format!("layer:{}", row.digest), Some(&registry))>{format::short_digest(&row.digest)}</a>
                            </td>
                            <td>{format::human_size(row.size_bytes)}</td>
                            <td>{row.images}</td>
                            <td>{row.repositories}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

#[component]
fn AlertList(rows: Vec<AlertItem>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="storage-table" aria-label="Storage alerts">
                <caption>"Thresholds crossed and recovered"</caption>
                <thead><tr><th>"When"</th><th>"What"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr class=if row.crossed { "crossed" } else { "recovered" }>
                            <td class="nowrap">{row.at.map(|when| view! { <Moment when /> })}</td>
                            <td>{row.sentence()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}
