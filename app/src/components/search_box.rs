use crate::api::search;
use crate::dto::SearchHitItem;
use crate::routes;
use leptos::ev;
use leptos::html::Input;
use leptos::prelude::*;

/// Suggestions shown under the box while typing.
const SUGGESTIONS: i64 = 8;

/// The search box on every page: `/` focuses it, results appear as you type (arrows pick,
/// Enter opens the picked tag, or the results page when none is picked). Without the WASM it
/// is a plain GET form to `/search`.
#[island]
pub fn SearchBox() -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let text = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let picked = RwSignal::new(None::<usize>);
    // A signal filled by tasks rather than a resource: a resource read here would suspend the
    // page's <Suspense> around the header on every keystroke, re-inserting the input (and
    // blurring it). Answers to older keystrokes are dropped.
    let found = RwSignal::new(Vec::<SearchHitItem>::new());
    let on_input = move |ev: ev::Event| {
        let q = event_target_value(&ev);
        text.set(q.clone());
        picked.set(None);
        open.set(true);
        if q.trim().chars().count() < 2 {
            found.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let hits = search(q.clone(), None, 1, SUGGESTIONS)
                .await
                .map(|page| page.hits)
                .unwrap_or_default();
            if text.get_untracked() == q {
                found.set(hits);
            }
        });
    };
    focus_on_slash(input);

    let hits = move || found.get();
    let on_keydown = move |ev: ev::KeyboardEvent| {
        let count = hits().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                picked.update(|p| *p = Some(p.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                picked.update(|p| *p = Some(p.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Escape" => open.set(false),
            "Enter" => {
                if let Some(hit) = picked.get().and_then(|i| hits().get(i).cloned()) {
                    ev.prevent_default();
                    open.set(false);
                    // Pages are server-rendered: opening one is a plain navigation.
                    let _ = window().location().set_href(&routes::tag(
                        &hit.registry,
                        &hit.repository,
                        &hit.tag,
                    ));
                }
            }
            _ => {}
        }
    };
    view! {
        <form class="search-box" method="get" action="/search" role="search">
            <input type="search" name="q" node_ref=input autocomplete="off"
                aria-label="Search repositories, tags and digests"
                placeholder="Search   /"
                on:input=on_input
                on:focus=move |_| open.set(true)
                on:blur=move |_| {
                    // Late enough for a click on a suggestion to land first.
                    set_timeout(move || open.set(false), std::time::Duration::from_millis(150));
                }
                on:keydown=on_keydown />
            <Show when=move || open.get() && !hits().is_empty()>
                <ul class="suggestions" role="listbox" aria-label="Suggestions">
                    {move || hits().into_iter().enumerate().map(|(i, hit)| {
                        view! { <Suggestion hit active=Signal::derive(move || picked.get() == Some(i)) /> }
                    }).collect_view()}
                    <li class="all">
                        <a href=move || routes::search(&text.get(), None)>"All results →"</a>
                    </li>
                </ul>
            </Show>
        </form>
    }
    // Erased: the header's view type otherwise grows past the compiler's depth limit.
    .into_any()
}

#[component]
fn Suggestion(hit: SearchHitItem, active: Signal<bool>) -> impl IntoView {
    let href = routes::tag(&hit.registry, &hit.repository, &hit.tag);
    view! {
        <li role="option" class:active=active aria-selected=move || active.get().to_string()>
            <a href=href>
                <span class="mono">{format!("{}:{}", hit.repository, hit.tag)}</span>
                <span class="muted">{hit.registry}</span>
            </a>
        </li>
    }
}

/// `/` anywhere but in a text field focuses the search box, as on GitHub or Harbor.
fn focus_on_slash(input: NodeRef<Input>) {
    Effect::new(move |_| {
        let handle = window_event_listener(ev::keydown, move |ev| {
            if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing() {
                return;
            }
            if let Some(input) = input.get_untracked() {
                ev.prevent_default();
                let _ = input.focus();
            }
        });
        on_cleanup(move || handle.remove());
    });
}

fn typing() -> bool {
    document()
        .active_element()
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false)
}
