#![no_main]
//! Any bytes as a manifest of any of the media types we accept: errors, never panics.

use libfuzzer_sys::fuzz_target;
use regatta_core::registry::ops::manifest::{media_type_of, parse_manifest};

fuzz_target!(|data: &[u8]| {
    let media_type = media_type_of(None, data);
    let _ = parse_manifest(&media_type, data);
    for declared in [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ] {
        let _ = parse_manifest(declared, data);
    }
});
