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

/// A repository's page with its tag table's state; defaults (no filter, newest first, docker,
/// page 1) are left out of the query.
pub fn repository_tags(
    registry: &str,
    repository: &str,
    filter: &str,
    sort: &str,
    tool: &str,
    page: i64,
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let page = page.to_string();
    let state = [
        ("filter", filter.trim(), ""),
        ("sort", sort, "created"),
        ("tool", tool, "docker"),
        ("page", page.as_str(), "1"),
    ];
    for (key, value, default) in state {
        if !value.is_empty() && value != default {
            query.append_pair(key, value);
        }
    }
    match query.finish() {
        query if query.is_empty() => self::repository(registry, repository),
        query => format!("{}?{query}", self::repository(registry, repository)),
    }
}

/// A tag's page.
pub fn tag(registry: &str, repository: &str, tag: &str) -> String {
    format!("/i/{registry}/{repository}:{tag}")
}

/// A manifest's page, by digest (a platform of an index, or a pinned image).
pub fn digest(registry: &str, repository: &str, digest: &str) -> String {
    format!("/i/{registry}/{repository}@{digest}")
}

/// The confirmation page for deleting one tag: what stays, what goes, what GC then frees.
pub fn delete_tag(registry: &str, repository: &str, tag: &str) -> String {
    format!("/delete/{registry}/{repository}:{tag}")
}

/// The confirmation page for deleting several tags of a repository (or all of them).
pub fn delete_tags(registry: &str, repository: &str, tags: &[String], whole: bool) -> String {
    let joined = tags.join(",");
    let whole = if whole { "1" } else { "" };
    with_query(
        &format!("/delete/{registry}/{repository}"),
        &[("tags", joined.as_str()), ("repository", whole)],
    )
}

/// The confirmation page for deleting every tag of a repository whose name contains `filter`.
pub fn delete_matching(registry: &str, repository: &str, filter: &str) -> String {
    with_query(
        &format!("/delete/{registry}/{repository}"),
        &[("filter", filter.trim())],
    )
}

/// Deleted tags, restorable until garbage collection; `notice` from a deletion or restore.
pub fn trash(notice: &[(&str, &str)]) -> String {
    with_query("/trash", notice)
}

pub fn retention() -> String {
    "/retention".into()
}

pub fn gc() -> String {
    "/gc".into()
}

/// One garbage collection run and its log.
pub fn gc_run(id: i64) -> String {
    format!("/gc/run/{id}")
}

/// The run's full log as a text file.
pub fn gc_run_log(id: i64) -> String {
    format!("/gc/run/{id}/log")
}

/// One retention preview, and its run once it ran.
pub fn retention_run(id: i64) -> String {
    format!("/retention/run/{id}")
}

pub fn promotions() -> String {
    "/promotions".into()
}

/// The storage page; empty values (split by environment, the 30-day chart first) stay out of
/// the address.
pub fn storage(by: &str, range: &str) -> String {
    with_query("/storage", &[("by", by), ("range", range)])
}

/// Every series of the storage page as CSV, split `by` environment or namespace.
pub fn storage_csv(by: &str) -> String {
    with_query("/storage.csv", &[("by", by)])
}

fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(key, value);
    }
    match query.finish() {
        query if query.is_empty() => path.to_string(),
        query => format!("{path}?{query}"),
    }
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

/// An admin's page of one user: grants and effective rights (usernames need no escaping).
pub fn admin_user(username: &str) -> String {
    format!("/admin/users/{username}")
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
        assert_eq!(
            repository_tags("local", "dev/app", "", "created", "docker", 1),
            "/r/local/dev/app"
        );
        assert_eq!(
            repository_tags("local", "dev/app", " 1.2 ", "semver", "podman", 3),
            "/r/local/dev/app?filter=1.2&sort=semver&tool=podman&page=3"
        );
        assert_eq!(storage("", ""), "/storage");
        assert_eq!(storage("namespace", "1y"), "/storage?by=namespace&range=1y");
        assert_eq!(storage_csv("namespace"), "/storage.csv?by=namespace");
    }
}
