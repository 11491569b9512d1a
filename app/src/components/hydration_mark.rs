use leptos::prelude::*;

/// An island without a view. Effects run only in the browser, and islands hydrate in document
/// order, so `data-hydrated` on `<body>` (set by this one, placed last) tells people and tests
/// that the page's islands are live.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
