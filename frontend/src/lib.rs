//! Hydrates the islands (the interactive parts) of the server-rendered page in the browser.
#![cfg(target_arch = "wasm32")]

// Links the app crate, whose islands are the WASM's exports; nothing here names them.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
