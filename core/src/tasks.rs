//! Long work the server owns: promotions now, bulk deletions, retention runs and garbage
//! collection next. A request starts the work and awaits it, but the work is a task of its own,
//! so a client or proxy that hangs up (hyper then drops the request's future) cannot stop it
//! half-way; the UI polls its progress instead. At shutdown the server waits for these tasks.

use crate::DomainError;
use std::future::Future;
use std::time::Duration;
use tokio_util::task::TaskTracker;

#[derive(Debug, Clone, Default)]
pub struct ServerTasks(TaskTracker);

impl ServerTasks {
    /// Runs `work` to the end whether or not the caller is still waiting, and gives its result
    /// to the caller that is.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, DomainError> {
        self.0.spawn(work).await.map_err(|error| {
            DomainError::internal(format!("a server task stopped unexpectedly: {error}"))
        })
    }

    /// How many are running now.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Lets running tasks finish for up to `grace`; true when all did.
    pub async fn shutdown(&self, grace: Duration) -> bool {
        self.0.close();
        tokio::time::timeout(grace, self.0.wait()).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn dropping_the_caller_does_not_stop_the_work() {
        let tasks = ServerTasks::default();
        let finished = Arc::new(AtomicBool::new(false));
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let work = {
            let finished = finished.clone();
            async move {
                let _ = started_tx.send(());
                tokio::time::sleep(Duration::from_millis(50)).await;
                finished.store(true, Ordering::SeqCst);
            }
        };
        let caller = tokio::spawn({
            let tasks = tasks.clone();
            async move { tasks.run(work).await }
        });
        started_rx.await.unwrap();
        caller.abort(); // the client hung up
        assert!(tasks.shutdown(Duration::from_secs(5)).await);
        assert!(finished.load(Ordering::SeqCst));
    }
}
