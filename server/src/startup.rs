use crate::jobs::{server_jobs, Leases, Supervisor};
use crate::router::build_router;
use crate::session_store::Sessions;
use axum::serve::ListenerExt;
use regatta_core::accounts::{ensure_first_admin, FirstAdmin};
use regatta_core::config::Settings;
use regatta_core::tasks::ServerTasks;
use regatta_core::Services;
use secrecy::SecretString;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// How long a stopping server waits for running promotions (a copy across registries of a big
/// image takes minutes; an orchestrator's kill timeout is usually 30 s, so ask for more there).
const TASK_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Who the first admin is, when the database has no users yet.
#[derive(Debug, Default)]
pub struct AdminBootstrap {
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

/// The dashboard, bound to its port (0 picks a free one) and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    jobs: Supervisor,
    tasks: ServerTasks,
    first_admin: Option<FirstAdmin>,
}

impl Application {
    pub async fn build(settings: Settings, admin: AdminBootstrap) -> anyhow::Result<Self> {
        let site_root = settings.site_root.clone();
        // Before anything records a metric (the first crawl starts with the services).
        crate::metrics::handle();
        let services = Services::start(settings).await?;
        let first_admin = ensure_first_admin(&services, admin.username, admin.password).await?;
        // Here, not in `Services::start`: a CLI command (also on the replicas list, so its own
        // running work counts as alive) must not end others' work.
        let listen = services.settings.listen.to_string();
        let now = services.clock.now();
        regatta_core::replicas::heartbeat::register(&services.db, &services.replica, &listen, now)
            .await?;
        tracing::info!(replica = services.replica.id, "registered as a replica");
        // Work left running by a server that is gone (this host's last process, or a replica
        // unseen for the lease time) is failed now; the interrupted-work job keeps doing it.
        regatta_core::replicas::interrupted::end_work_of_dead_replicas(&services).await?;
        let sessions = Sessions::open(&services.db).await?;
        let listener = TcpListener::bind(services.settings.listen).await?;
        let jobs = Supervisor::start(
            server_jobs(&services, &sessions),
            Leases::shared(services.clone()),
        );
        let tasks = services.tasks.clone();
        let router = build_router(services, sessions, &site_root, listener.local_addr()?);
        Ok(Self {
            listener,
            router,
            jobs,
            tasks,
            first_admin,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn first_admin(&self) -> Option<&FirstAdmin> {
        self.first_admin.as_ref()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests, lets running server
    /// tasks (promotions) end, and stops the jobs.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Without TCP_NODELAY a page streamed in several writes waits ~40 ms for the client's
        // delayed ACK (Nagle): measured 40 ms on every server-rendered page, 1 ms with it.
        let listener = self.listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        if !self.tasks.is_empty() {
            tracing::info!(
                running = self.tasks.len(),
                "waiting for promotions to finish"
            );
        }
        if !self.tasks.shutdown(TASK_GRACE).await {
            tracing::warn!(
                "promotions still running were stopped; the next start marks them failed"
            );
        }
        self.jobs.shutdown().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate.recv() => {},
    }
    tracing::info!("shutting down");
}
