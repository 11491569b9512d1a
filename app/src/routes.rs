//! Every link to a page of the dashboard is built here, so a route changes in one place.
//! Path segments are repository names and tags, whose grammar needs no escaping; query values
//! are form-encoded.

pub fn dashboard() -> String {
    "/".into()
}

pub fn registry(registry: &str) -> String {
    format!("/r/{registry}")
}

/// One namespace (`dev`, `team/dev`) of a registry: its repositories.
pub fn namespace(registry: &str, namespace: &str) -> String {
    format!("/n/{registry}/{namespace}")
}

pub fn repository(registry: &str, repository: &str) -> String {
    format!("/r/{registry}/{repository}")
}

/// A tag's page.
pub fn tag(registry: &str, repository: &str, tag: &str) -> String {
    format!("/i/{registry}/{repository}:{tag}")
}

/// A manifest's page, by digest (a platform of an index, or a pinned image).
pub fn digest(registry: &str, repository: &str, digest: &str) -> String {
    format!("/i/{registry}/{repository}@{digest}")
}

pub fn promotions() -> String {
    "/promotions".into()
}

/// `/search?q=…[&registry=…]`, encoded.
pub fn search(text: &str, registry: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", text.trim());
    if let Some(registry) = registry.filter(|r| !r.is_empty()) {
        query.append_pair("registry", registry);
    }
    format!("/search?{}", query.finish())
}

/// A page of search results.
pub fn search_page(text: &str, registry: Option<&str>, page: i64) -> String {
    format!("{}&page={page}", search(text, registry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_the_router() {
        assert_eq!(tag("local", "dev/app", "1.0"), "/i/local/dev/app:1.0");
        assert_eq!(
            digest("local", "dev/app", "sha256:ab"),
            "/i/local/dev/app@sha256:ab"
        );
        assert_eq!(namespace("local", "dev"), "/n/local/dev");
        assert_eq!(
            search("a b&c", Some("local")),
            "/search?q=a+b%26c&registry=local"
        );
        assert_eq!(search_page("x", None, 2), "/search?q=x&page=2");
    }
}
