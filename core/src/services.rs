use crate::auth::{LoginThrottle, UserCache};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{DatabaseLocation, Settings};
use crate::db::{self, Db};
use crate::index::CrawlProgressMap;
use crate::promotion::{PromotionProgressMap, TargetLocks};
use crate::registry::{RegistryClient, RegistryClients};
use crate::search::Vocabulary;
use crate::DomainError;
use anyhow::Context;
use std::sync::Arc;

/// Everything a domain operation needs, cheap to clone, built once at start-up and shared by
/// the web handlers, the CLI and background jobs.
#[derive(Clone, Debug)]
pub struct Services {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub clock: SharedClock,
    pub throttle: Arc<LoginThrottle>,
    pub user_cache: Arc<UserCache>,
    pub registries: Arc<RegistryClients>,
    pub index_progress: Arc<CrawlProgressMap>,
    pub index_removals: Arc<crate::index::RemovalGuard>,
    pub search_vocabulary: Arc<Vocabulary>,
    /// Pulls written lately: a pull storm writes each image's pull time once every few minutes.
    pub pull_log: Arc<crate::index::pulls::PullLog>,
    /// A storage snapshot is due shortly (after deletions: one for a burst of them).
    pub snapshot_pending: Arc<std::sync::atomic::AtomicBool>,
    pub promotion_progress: Arc<PromotionProgressMap>,
    pub promotion_locks: Arc<TargetLocks>,
    pub deletion_progress: Arc<crate::deletion::DeletionProgressMap>,
    /// For outgoing calls that are not to a registry (webhooks).
    pub http: reqwest::Client,
    pub webhook_sender: Arc<tokio::sync::Mutex<()>>,
    /// Promotions (and later deletions, retention, GC) run here, not in a request's future.
    pub tasks: crate::tasks::ServerTasks,
    /// Garbage collection's maintenance windows, which Regatta's writes wait for.
    pub maintenance: Arc<crate::gc::MaintenanceGates>,
    pub gc_running: Arc<crate::gc::RunningCollections>,
    /// This process among the replicas sharing the database.
    pub replica: Arc<crate::replicas::Replica>,
}

impl Services {
    /// Opens the database (applying migrations) and prepares a client per registry.
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        let clock: SharedClock = Arc::new(SystemClock);
        let (db, user_cache) = match &settings.database {
            DatabaseLocation::Sqlite(path) => (
                db::connect_and_migrate(path).await?,
                UserCache::beside(path),
            ),
            DatabaseLocation::Postgres(url) => {
                let password = (settings.database_password_env.as_deref())
                    .and_then(|name| settings.shared_secrets.get(name))
                    .map(secrecy::ExposeSecret::expose_secret);
                let db = db::connect_postgres(url.as_str(), password).await?;
                let user_cache = UserCache::notified(&db).await?;
                (db, user_cache)
            }
        };
        let user_cache = Arc::new(user_cache);
        let registries = registry_clients(&settings)?;
        let lease = std::time::Duration::from_secs(u64::from(settings.replicas.lease_seconds));
        let replica = Arc::new(crate::replicas::Replica::new(lease, clock.now()));
        crate::replicas::heartbeat::join(&db, &replica, clock.clone()).await?;
        Ok(Self {
            settings: Arc::new(settings),
            db,
            throttle: Arc::new(LoginThrottle::new(clock.clone())),
            user_cache,
            clock,
            registries: Arc::new(registries),
            index_progress: Arc::default(),
            index_removals: Arc::default(),
            search_vocabulary: Arc::default(),
            pull_log: Arc::default(),
            deletion_progress: Arc::default(),
            snapshot_pending: Arc::default(),
            promotion_progress: Arc::default(),
            promotion_locks: Arc::default(),
            // A redirect would re-post the signed body to wherever the receiver points.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(std::time::Duration::from_secs(5))
                .user_agent(concat!("regatta/", env!("CARGO_PKG_VERSION")))
                .build()?,
            webhook_sender: Arc::default(),
            tasks: Default::default(),
            maintenance: Arc::default(),
            gc_running: Arc::default(),
            replica,
        })
    }
}

/// One client per configured registry, each from an endpoint resolved once, here.
fn registry_clients(settings: &Settings) -> anyhow::Result<RegistryClients> {
    let clients = settings.registries.iter().map(|config| {
        config
            .endpoint(&settings.shared_secrets)
            .and_then(RegistryClient::new)
            .with_context(|| format!("registry `{}`", config.name))
    });
    Ok(RegistryClients::new(
        clients.collect::<anyhow::Result<Vec<_>>>()?,
    ))
}

impl Services {
    /// The client of a configured registry, or the user-facing "not found".
    pub fn registry_client(&self, name: &str) -> Result<&RegistryClient, DomainError> {
        self.registries
            .get(name)
            .ok_or_else(|| DomainError::NotFound(format!("Registry `{name}`")))
    }
}
