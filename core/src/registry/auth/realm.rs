//! The token realm comes from the registry's 401 answer, so a hostile or compromised registry
//! chooses where we send credentials. Accept only the registry's own host or one configured in
//! `realm_hosts`, never https downgraded to http, never a link-local address (cloud metadata),
//! also not one spelled as IPv4-mapped IPv6 or reached through DNS.

use std::net::IpAddr;
use url::{Host, Url};

pub fn validate_realm(realm: &str, registry: &Url, realm_hosts: &[String]) -> Result<Url, String> {
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
    let host = url.host_str().unwrap_or_default();
    let allowed = registry
        .host_str()
        .is_some_and(|own| own.eq_ignore_ascii_case(host))
        || realm_hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
    if !allowed {
        return Err(format!(
            "token realm `{realm}` is on another host than the registry; add `{host}` to the \
             registry's realm_hosts if it is the registry's token service"
        ));
    }
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => None,
        None => return Err(format!("token realm `{realm}` has no host")),
    };
    if ip.is_some_and(is_link_local) {
        return Err(format!(
            "token realm `{realm}` points at a link-local address (cloud metadata?)"
        ));
    }
    Ok(url)
}

/// 169.254.0.0/16 and fe80::/10, and the former written as `::ffff:169.254.x.y`.
pub fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_link_local(),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.is_link_local(),
            None => (ip.segments()[0] & 0xffc0) == 0xfe80,
        },
    }
}

/// A realm named by its host name must not resolve to a link-local address either.
pub async fn check_resolved(realm: &Url) -> Result<(), String> {
    let (Some(Host::Domain(host)), Some(port)) = (realm.host(), realm.port_or_known_default())
    else {
        return Ok(());
    };
    let addresses = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("token realm host `{host}` does not resolve: {e}"))?;
    for address in addresses {
        if is_link_local(address.ip()) {
            return Err(format!(
                "token realm host `{host}` resolves to a link-local address (cloud metadata?)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate_realm as validate;

    /// The realm's own host allowed, so the other checks are what is tested.
    fn validate_realm(realm: &str, registry: &url::Url) -> Result<url::Url, String> {
        let host = url::Url::parse(realm)
            .ok()
            .and_then(|url| url.host_str().map(str::to_string));
        validate(realm, registry, host.as_slice())
    }

    #[test]
    fn only_the_registrys_own_host_or_a_configured_one_gets_the_credentials() {
        let registry: url::Url = "https://registry.example:5000".parse().unwrap();
        assert!(validate("https://registry.example/token", &registry, &[]).is_ok());
        let error = validate("https://evil.example/token", &registry, &[]).unwrap_err();
        assert!(
            error.contains("add `evil.example` to the registry's realm_hosts"),
            "{error}"
        );
        let hub = ["auth.docker.io".to_string()];
        assert!(validate("https://auth.docker.io/token", &registry, &hub).is_ok());
        assert!(validate("https://[::ffff:a9fe:a9fe]/latest", &registry, &[]).is_err());
        assert!(
            validate_realm("https://[::ffff:a9fe:a9fe]/latest", &registry)
                .unwrap_err()
                .contains("link-local")
        );
    }

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
