//! The built site under `/pkg`: served from files compressed at build time (`cargo leptos build
//! --release --precompress` writes `.br` and `.gz` beside each file) when they are as new as the
//! file itself, else compressed on the fly by the router's compression layer. cargo-leptos puts
//! a content hash in each name (`hash-files`, listed in `hash.txt` beside the binary), so a file
//! is cached for a year; without that list (a plain `cargo build`) it is revalidated each time.

use axum::http::{header, HeaderValue};
use axum::Router;
use std::path::Path;
use std::time::SystemTime;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// True when cargo-leptos listed the hashed names beside this binary (Leptos reads them there).
pub fn names_are_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|list| list.is_file())
}

pub fn pkg_router<S: Clone + Send + Sync + 'static>(site_root: &Path, hashed: bool) -> Router<S> {
    let pkg = site_root.join("pkg");
    let mut files = ServeDir::new(&pkg);
    if precompressed_are_current(&pkg) {
        files = files.precompressed_br().precompressed_gzip();
    } else {
        tracing::info!(dir = %pkg.display(), "no current precompressed assets: compressing on the fly");
    }
    Router::new()
        .nest_service("/pkg", files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(match hashed {
                true => "public, max-age=31536000, immutable",
                false => "no-cache",
            }),
        ))
}

/// A `.br` older than its file is left from another build (a debug build does not rewrite them),
/// and serving it would pair a stale WASM with the current JS.
fn precompressed_are_current(pkg: &Path) -> bool {
    let modified =
        |path: &Path| -> Option<SystemTime> { std::fs::metadata(path).ok()?.modified().ok() };
    let Ok(entries) = std::fs::read_dir(pkg) else {
        return false;
    };
    let mut any = false;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_compressed = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"));
        if is_compressed {
            continue;
        }
        for suffix in ["br", "gz"] {
            let compressed = path.with_extension(format!(
                "{}.{suffix}",
                path.extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default()
            ));
            match (modified(&path), modified(&compressed)) {
                (Some(file), Some(packed)) if packed >= file => any = true,
                (Some(_), Some(_)) => return false,
                _ => {}
            }
        }
    }
    any
}
