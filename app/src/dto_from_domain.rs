//! Building DTOs from domain values (server only). Secrets are dropped here by construction:
//! DTOs have no field that could hold one.

use crate::dto::*;
use regatta_core::config::{RegistryAuth, Settings};
use regatta_core::registry::RegistryHealth;
use regatta_core::users::User;

pub fn dashboard_from(
    user: &User,
    settings: &Settings,
    overviews: &[regatta_core::browse::RegistryOverview],
) -> Dashboard {
    Dashboard {
        indexes: overviews.iter().map(index_summary).collect(),
        user: CurrentUser {
            username: user.username.clone(),
            role: user.role.to_string(),
        },
        registries: settings
            .registries
            .iter()
            .map(|r| RegistrySummary {
                name: r.name.clone(),
                url: r.url.to_string(),
                auth: match &r.auth {
                    RegistryAuth::None => "anonymous".into(),
                    RegistryAuth::Basic { username, .. } => format!("basic ({username})"),
                    RegistryAuth::DockerConfig { .. } => "docker config".into(),
                },
            })
            .collect(),
        environments: settings
            .environments
            .iter()
            .map(|e| EnvironmentSummary {
                name: e.name.clone(),
                registry: e.registry.clone(),
                prefix: e.prefix.clone(),
                protected: e.protected,
            })
            .collect(),
    }
}

impl From<RegistryHealth> for RegistryHealthReport {
    fn from(health: RegistryHealth) -> Self {
        // One classification, the one the crawler stores too.
        let level = match health.level() {
            "ok" => HealthLevel::Ok,
            "warning" => HealthLevel::Warning,
            _ => HealthLevel::Down,
        };
        RegistryHealthReport {
            level,
            summary: health.summary(),
            latency_ms: health.latency_ms,
        }
    }
}

pub fn index_summary(overview: &regatta_core::browse::RegistryOverview) -> RegistryIndexSummary {
    let index = overview.index.as_ref();
    RegistryIndexSummary {
        name: overview.name.clone(),
        url: overview.url.clone(),
        repositories: index.map_or(0, |i| i.repositories),
        tags: index.map_or(0, |i| i.tags),
        last_crawl: index.and_then(|i| {
            let finished = i.crawl_finished_at?;
            let took = i.crawl_duration_ms.unwrap_or_default() as f64 / 1000.0;
            Some(format!("{}, took {took:.1} s", when(finished)))
        }),
        crawl_error: index.and_then(|i| i.crawl_error.clone()),
        crawling: overview.progress.running,
        health_level: index.and_then(|i| i.health_level.clone()),
        health_summary: index.and_then(|i| i.health_summary.clone()),
        repositories_done: overview.progress.repositories_done,
        repositories_total: overview.progress.repositories_total,
    }
}

pub fn repository_listing(page: regatta_core::browse::RepositoryPage) -> RepositoryListing {
    let mut namespaces: Vec<NamespaceGroup> = Vec::new();
    for repo in page.repositories {
        let namespace = repo
            .name
            .split_once('/')
            .map(|(ns, _)| format!("{ns}/"))
            .unwrap_or_else(|| "(top level)".into());
        let item = RepositoryItem {
            name: repo.name,
            tags: repo.tags,
            last_updated: repo.last_updated.map(when),
        };
        match namespaces.last_mut() {
            Some(group) if group.namespace == namespace => group.repositories.push(item),
            _ => namespaces.push(NamespaceGroup {
                namespace,
                repositories: vec![item],
            }),
        }
    }
    let page_size = regatta_core::browse::PAGE_SIZE;
    RepositoryListing {
        registry: index_summary(&page.registry),
        namespaces,
        total: page.total,
        page: page.page,
        pages: ((page.total + page_size - 1) / page_size).max(1),
    }
}

pub fn tag_listing(
    registry: &str,
    repository: &str,
    tags: regatta_core::browse::RepositoryTags,
) -> TagListing {
    let split = |list: Option<String>| {
        list.map(|l| l.split(", ").map(str::to_string).collect())
            .unwrap_or_default()
    };
    TagListing {
        registry: registry.to_string(),
        repository: repository.to_string(),
        image: tags.image,
        tags: tags
            .tags
            .into_iter()
            .map(|t| TagItem {
                tag: t.tag,
                digest: t.digest,
                size: human_size(t.total_size),
                size_bytes: t.total_size,
                platforms: t.platforms.unwrap_or_default(),
                created: t.created,
                same_digest_as: split(t.same_digest_as),
                is_index: t.is_index,
            })
            .collect(),
    }
}

fn when(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

/// Sizes as people read them: 1,000-based like registries and `docker images` show them.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn image_view(
    registry: &str,
    repository: &str,
    reference: &str,
    details: regatta_core::image_details::ImageDetails,
) -> ImageView {
    use regatta_core::image_details::ImageKind;
    let body = match details.kind {
        ImageKind::Index { platforms } => ImageBody::Index {
            platforms: platforms
                .into_iter()
                .map(|p| PlatformItem {
                    platform: p.platform,
                    digest: p.digest,
                    size: human_size(p.size as i64),
                })
                .collect(),
        },
        ImageKind::Image {
            config,
            layers,
            size,
        } => ImageBody::Image(Box::new(ImageConfigView {
            created: config.created,
            platform: config.platform,
            size: human_size(size as i64),
            env: config.env,
            labels: config.labels.into_iter().collect(),
            entrypoint: config.entrypoint.join(" "),
            cmd: config.cmd.join(" "),
            working_dir: config.working_dir,
            user: config.user,
            layers: layers
                .into_iter()
                .map(|l| LayerItem {
                    digest: l.digest,
                    size: human_size(l.size as i64),
                    media_type: l.media_type,
                    created_by: l.created_by,
                    shared_with: l.shared_with,
                })
                .collect(),
        })),
    };
    ImageView {
        registry: registry.to_string(),
        repository: repository.to_string(),
        reference: reference.to_string(),
        digest: details.digest,
        media_type: details.media_type,
        body,
        annotations: details.annotations.into_iter().collect(),
        referrers: details.referrers,
    }
}

pub fn search_page(
    request: &regatta_core::search::SearchRequest,
    results: regatta_core::search::SearchResults,
    registries: Vec<String>,
    environments: Vec<String>,
) -> crate::dto::SearchPage {
    use regatta_core::search::COUNT_CAP;
    let capped = results.total > COUNT_CAP;
    let total = results.total.min(COUNT_CAP);
    crate::dto::SearchPage {
        query: request.text.clone(),
        registry: request.registry.clone(),
        understood: results.understood,
        corrections: results
            .corrections
            .into_iter()
            .map(|(word, instead)| {
                format!("Nothing contains “{word}”; showing {}.", instead.join(", "))
            })
            .collect(),
        hits: results
            .hits
            .into_iter()
            .map(|hit| crate::dto::SearchHitItem {
                href: format!("/i/{}/{}:{}", hit.registry, hit.repository, hit.tag),
                registry: hit.registry,
                repository: hit.repository,
                tag: hit.tag,
                digest: hit.digest,
                platforms: hit.platforms.unwrap_or_default(),
                size: human_size(hit.total_size),
                pushed: when(hit.pushed_at),
            })
            .collect(),
        total,
        capped,
        page: results.page,
        pages: ((total + results.page_size - 1) / results.page_size).max(1),
        registries,
        environments,
    }
}

pub fn pipeline_stage(presence: regatta_core::promotion::Presence) -> crate::dto::PipelineStage {
    crate::dto::PipelineStage {
        environment: presence.environment,
        registry: presence.registry,
        repository: presence.repository,
        protected: presence.protected,
        is_source: presence.is_source,
        tags: presence.tags,
    }
}

pub fn promotion_preview(
    plan: &regatta_core::promotion::PromotionPlan,
) -> crate::dto::PromotionPreview {
    let bytes = plan.bytes_to_move();
    crate::dto::PromotionPreview {
        source: plan.source.to_string(),
        target: plan.target.to_string(),
        digest: plan.digest.to_string(),
        manifests: plan.manifests.len(),
        blobs_total: plan.blobs.len(),
        blobs_present: plan.blobs.iter().filter(|b| b.at_target).count(),
        same_registry: plan.same_registry,
        bytes_to_move: if plan.same_registry {
            "0 B (blobs are mounted)".into()
        } else {
            human_size(bytes as i64)
        },
        overwrites: plan.overwrites().map(ToString::to_string),
        already_there: plan.target_current.as_ref() == Some(&plan.digest),
        attachments: plan.attachments.iter().map(|a| a.tag.to_string()).collect(),
    }
}

pub fn promotion_done(
    outcome: &regatta_core::promotion::PromotionOutcome,
) -> crate::dto::PromotionDone {
    let target = &outcome.plan.target;
    let report = &outcome.report;
    crate::dto::PromotionDone {
        target: target.to_string(),
        href: format!(
            "/i/{}/{}:{}",
            target.registry, target.repository, target.tag
        ),
        summary: format!(
            "{} moved; {} blobs mounted, {} copied, {} already there; {} ms",
            human_size(report.bytes_moved as i64),
            report.blobs_mounted,
            report.blobs_copied,
            report.blobs_present,
            outcome.duration_ms
        ),
    }
}

pub fn promotion_row(record: regatta_core::promotion::PromotionRecord) -> crate::dto::PromotionRow {
    crate::dto::PromotionRow {
        when: when(record.started_at),
        actor: record.actor,
        source: format!(
            "{}/{}:{}",
            record.source_registry, record.source_repository, record.source_tag
        ),
        target_href: format!(
            "/i/{}/{}:{}",
            record.target_registry, record.target_repository, record.target_tag
        ),
        target: format!(
            "{}/{}:{}",
            record.target_registry, record.target_repository, record.target_tag
        ),
        environments: format!(
            "{} → {}",
            record.from_environment.as_deref().unwrap_or("(none)"),
            record.to_environment
        ),
        digest: record.digest,
        status: record.status,
        error: record.error,
        duration: record
            .duration_ms
            .map(|ms| match ms {
                0..=999 => format!("{ms} ms"),
                _ => format!("{:.1} s", ms as f64 / 1000.0),
            })
            .unwrap_or_default(),
        moved: format!(
            "{} ({} mounted, {} copied, {} there)",
            human_size(record.bytes_moved),
            record.blobs_mounted,
            record.blobs_copied,
            record.blobs_present
        ),
        webhooks: record.webhooks,
    }
}

pub fn running_promotion(
    progress: &regatta_core::promotion::PromotionProgress,
) -> crate::dto::RunningPromotion {
    use std::sync::atomic::Ordering::Relaxed;
    let (bytes, bytes_total) = (
        progress.bytes_done.load(Relaxed),
        progress.bytes_total.load(Relaxed),
    );
    let (blobs, blobs_total) = (
        progress.blobs_done.load(Relaxed),
        progress.blobs_total.load(Relaxed),
    );
    crate::dto::RunningPromotion {
        target: progress.target.clone(),
        done: format!(
            "{} of {} · {blobs} of {blobs_total} blobs",
            human_size(bytes as i64),
            human_size(bytes_total as i64)
        ),
        percent: (bytes * 100).checked_div(bytes_total).unwrap_or(0).min(100) as u8,
    }
}
