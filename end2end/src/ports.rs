use std::net::TcpListener;

/// A port that was free a moment ago. Callers retry on the rare race with another process.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("binding an ephemeral port on loopback")
}
