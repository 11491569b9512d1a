use leptos::prelude::*;

/// "← previous · page 2 of 7 · next →" under a paged list; nothing when it has one page.
/// `link` is the address of a page.
#[component]
pub fn Pager(page: i64, pages: i64, link: impl Fn(i64) -> String) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <a href=link(page - 1)>"← previous"</a> })}
                <span>{format!("page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a href=link(page + 1)>"next →"</a> })}
            </nav>
        }
    })
}
