//! The token realm comes from the registry's 401 answer, so a hostile or compromised registry
//! chooses where we send credentials. Accept only URLs that cannot be abused for SSRF into
//! cloud metadata services or for downgrading https to http.

use std::net::IpAddr;
use url::{Host, Url};

pub fn validate_realm(realm: &str, registry: &Url) -> Result<Url, String> {
    let url = Url::parse(realm).map_err(|e| format!("token realm `{realm}` is not a URL: {e}"))?;
    match (registry.scheme(), url.scheme()) {
        ("https", "https") | ("http", "http" | "https") => {}
        ("https", "http") => {
            return Err(format!(
                "token realm `{realm}` is http while the registry is https"
            ))
        }
        _ => return Err(format!("token realm `{realm}` is not an http(s) URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "token realm `{realm}` carries credentials in the URL"
        ));
    }
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => None,
        None => return Err(format!("token realm `{realm}` has no host")),
    };
    let link_local = match ip {
        Some(IpAddr::V4(ip)) => ip.is_link_local(),
        Some(IpAddr::V6(ip)) => (ip.segments()[0] & 0xffc0) == 0xfe80,
        None => false,
    };
    if link_local {
        return Err(format!(
            "token realm `{realm}` points at a link-local address (cloud metadata?)"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::validate_realm;

    #[test]
    fn realms_are_checked_against_ssrf_and_downgrade() {
        let https: url::Url = "https://registry.example".parse().unwrap();
        let http: url::Url = "http://127.0.0.1:5000".parse().unwrap();
        assert!(validate_realm("https://auth.example/token", &https).is_ok());
        assert!(validate_realm("http://127.0.0.1:5001/token", &http).is_ok());
        assert!(validate_realm("http://auth.example/token", &https)
            .unwrap_err()
            .contains("is http while"));
        assert!(validate_realm("https://169.254.169.254/latest", &https)
            .unwrap_err()
            .contains("link-local"));
        assert!(validate_realm("https://[fe80::1]/t", &https)
            .unwrap_err()
            .contains("link-local"));
        assert!(validate_realm("https://u:p@auth.example/", &https)
            .unwrap_err()
            .contains("credentials"));
        assert!(validate_realm("file:///etc/passwd", &http)
            .unwrap_err()
            .contains("not an http(s)"));
        assert!(validate_realm("not a url", &http).is_err());
    }
}
