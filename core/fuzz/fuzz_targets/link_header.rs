#![no_main]
//! Any Link header value: parsing never panics, and a found target came from inside `<…>`.

use libfuzzer_sys::fuzz_target;
use regatta_core::registry::ops::next_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = std::str::from_utf8(data) {
        if let Some(target) = next_target(value) {
            assert!(value.contains(&format!("<{target}>")));
        }
    }
});
