use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// Fixture ports come from below the kernel's ephemeral range (32768–60999 on Linux by
/// default). A supervised registry leaves its port unbound for a moment at every restart (the
/// garbage collection window); in the ephemeral range another test's `bind(0)` or any outgoing
/// connection could take it then, and the restarted registry would fail to bind while the
/// other test's server answered in its place. Outside that range only this function hands
/// ports out, and it hands them out in turn.
const FIRST: u32 = 20_000;
const COUNT: u32 = 12_000;

/// A port that was free a moment ago. Callers retry on the rare race with another process.
pub fn free_port() -> u16 {
    // Each test process starts at its own place in the range (test binaries and the servers
    // they start run side by side) and then takes the ports in turn.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let start = std::process::id().wrapping_mul(7_919) % COUNT;
    let _ = NEXT.compare_exchange(u32::MAX, start, Ordering::Relaxed, Ordering::Relaxed);
    for _ in 0..COUNT {
        let port = (FIRST + NEXT.fetch_add(1, Ordering::Relaxed) % COUNT) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {FIRST}..{}", FIRST + COUNT)
}
