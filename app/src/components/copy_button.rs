use leptos::prelude::*;

/// Copies `text` to the clipboard; shows "Copied" for a moment. The command is also in the
/// button's title, so it can be read (and selected) without JavaScript.
#[component]
pub fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let on_click = {
        let text = text.clone();
        move |_| {
            copy_to_clipboard(&text);
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    view! {
        <button type="button" class="copy" title=text on:click=on_click>
            {move || if copied.get() { "Copied" } else { label }}
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

#[cfg(not(feature = "hydrate"))]
fn copy_to_clipboard(_text: &str) {}
