#![no_main]
//! Any header value: parsing never panics, and every challenge has a scheme.

use libfuzzer_sys::fuzz_target;
use regatta_core::registry::auth::parse_challenges;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = std::str::from_utf8(data) {
        for challenge in parse_challenges(header) {
            assert!(!challenge.scheme.is_empty());
        }
    }
});
