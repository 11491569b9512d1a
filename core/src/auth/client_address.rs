//! Which address a request came from, for the login throttle and the audit trail. Behind a
//! reverse proxy the peer is the proxy; its `X-Forwarded-For` is believed only when the peer is
//! one of `trusted_proxies`, and read from the right (each proxy appends the address it saw;
//! anything further left was written by the client and could be anything).

use ipnet::IpNet;
use std::net::IpAddr;

pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break; // garbage: stop at the last address a trusted hop vouched for
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy_and_read_from_the_right() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let header = Some("6.6.6.6, 203.0.113.7, 10.0.0.3");
        assert_eq!(
            client_address(ip("10.0.0.2"), header, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("198.51.100.1"), header, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), None, &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), Some("junk, 10.0.0.9"), &trusted),
            ip("10.0.0.9")
        );
        assert_eq!(client_address(ip("10.0.0.2"), header, &[]), ip("10.0.0.2"));
    }
}
