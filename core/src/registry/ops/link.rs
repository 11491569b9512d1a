//! Pagination by `Link: <url>; rel="next"` (RFC 8288; distribution-spec "Listing Tags" and the
//! catalog API). The next URL may be relative, and must stay on the registry's own origin:
//! a registry cannot send us (and our credentials) elsewhere.

use crate::registry::error::RegistryError;
use reqwest::header;
use url::Url;

/// The `rel="next"` target of `response`, resolved against `current`, or `None` on the last page.
pub fn next_link(
    registry: &str,
    headers: &header::HeaderMap,
    current: &Url,
    base: &Url,
) -> Result<Option<Url>, RegistryError> {
    let Some(target) = headers
        .get_all(header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(next_target)
    else {
        return Ok(None);
    };
    let next = current.join(&target).map_err(|e| RegistryError::Protocol {
        registry: registry.to_string(),
        reason: format!("Link target `{target}` is not a URL: {e}"),
    })?;
    if next.origin() != base.origin() {
        return Err(RegistryError::Protocol {
            registry: registry.to_string(),
            reason: format!("refusing to follow a Link to another origin: {next}"),
        });
    }
    Ok(Some(next))
}

/// Finds `<target>` of the link whose `rel` includes `next` in one header value.
pub fn next_target(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.to_string());
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> header::HeaderMap {
        let mut map = header::HeaderMap::new();
        for value in values {
            map.append(header::LINK, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn relative_next_links_are_resolved_on_the_same_origin() {
        let base: Url = "http://127.0.0.1:5000/".parse().unwrap();
        let current = base.join("/v2/_catalog?n=1000").unwrap();
        let link = headers(&[r#"</v2/_catalog?last=dev%2Fapp&n=1000>; rel="next""#]);
        let next = next_link("r", &link, &current, &base).unwrap().unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:5000/v2/_catalog?last=dev%2Fapp&n=1000"
        );
        assert_eq!(
            next_link("r", &headers(&[]), &current, &base).unwrap(),
            None
        );
    }

    #[test]
    fn only_rel_next_counts_among_several_links() {
        let value = r#"<https://r/v2/x/tags/list?n=2&last=a>; rel="prev", <https://r/v2/x/tags/list?n=2&last=c>; rel="next""#;
        assert_eq!(
            next_target(value).as_deref(),
            Some("https://r/v2/x/tags/list?n=2&last=c")
        );
        assert_eq!(next_target(r#"<x>; rel="last""#), None);
        assert_eq!(next_target(r#"<x>;rel=next"#).as_deref(), Some("x"));
    }

    #[test]
    fn links_to_another_origin_are_refused() {
        let base: Url = "https://registry.example/".parse().unwrap();
        let link = headers(&[r#"<https://evil.example/v2/_catalog>; rel="next""#]);
        let error = next_link("r", &link, &base, &base).unwrap_err().to_string();
        assert!(
            error.contains("refusing to follow a Link to another origin"),
            "{error}"
        );
        let downgrade = headers(&[r#"<http://registry.example/v2/_catalog>; rel="next""#]);
        assert!(next_link("r", &downgrade, &base, &base).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        for value in ["<", ">", "<>", "<a", "<a>; rel", "<a>;;;, <b", "rel=next"] {
            let _ = next_target(value);
        }
    }
}
