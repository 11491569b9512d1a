use leptos::prelude::*;

/// An island without a view. Effects run only in the browser, and islands hydrate in document
/// order, so `data-hydrated` on `<body>` (set by this one, placed last) tells people and tests
/// that the page's islands are live; the `regatta-hydrated` performance mark says when (in
/// DevTools' timeline, and for the pages bench's time to hydrated).
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        mark_in_timeline();
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[cfg(feature = "hydrate")]
fn mark_in_timeline() {
    if let Some(performance) = window().performance() {
        let _ = performance.mark("regatta-hydrated");
    }
}

#[cfg(not(feature = "hydrate"))]
fn mark_in_timeline() {}
