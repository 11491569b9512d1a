use crate::dto::When;
use crate::format;
use leptos::prelude::*;

/// A moment as every page shows it (`2026-12-03 08:04 UTC`), the exact time on hover.
#[component]
pub fn Moment(when: When) -> impl IntoView {
    view! { <time datetime=format::exact(when) title=format::exact(when)>{format::date_time(when)}</time> }
}
