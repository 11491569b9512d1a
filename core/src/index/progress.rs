use std::collections::HashMap;
use std::sync::Mutex;

/// How far the running crawl of one registry is, for the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlProgress {
    pub running: bool,
    pub repositories_total: usize,
    pub repositories_done: usize,
    pub errors: usize,
}

/// Progress by registry name, shared by the crawler and the pages.
#[derive(Debug, Default)]
pub struct CrawlProgressMap(Mutex<HashMap<String, CrawlProgress>>);

impl CrawlProgressMap {
    pub fn get(&self, registry: &str) -> CrawlProgress {
        self.0
            .lock()
            .expect("progress lock")
            .get(registry)
            .cloned()
            .unwrap_or_default()
    }

    pub fn update(&self, registry: &str, change: impl FnOnce(&mut CrawlProgress)) {
        change(
            self.0
                .lock()
                .expect("progress lock")
                .entry(registry.to_string())
                .or_default(),
        );
    }
}
