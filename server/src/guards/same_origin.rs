//! Cross-site request forgery: a state-changing request is served only when the browser says it
//! comes from the dashboard's own origin. SameSite=Lax cookies stop other sites, not same-site
//! ones (a sibling subdomain, another port on the host), and they do nothing for login CSRF.
//!
//! Browsers send `Sec-Fetch-Site` (which knows the page's real origin, also behind a proxy) and
//! `Origin` on every POST. A request with neither is not from a browser (curl, a script, the
//! registry's notifications) and cannot carry a victim's ambient cookie, so it passes.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origin pages are served from: `public_url` when set, else whatever the request's `Host`
/// header names.
#[derive(Debug, Clone, Default)]
pub struct OwnOrigin(Option<String>);

impl OwnOrigin {
    pub fn new(public_url: Option<&url::Url>) -> Self {
        Self(public_url.map(|url| url.origin().ascii_serialization()))
    }

    fn accepts(&self, origin: &str, headers: &HeaderMap) -> bool {
        if let Some(own) = &self.0 {
            return origin == own;
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
    }
}

pub async fn refuse_cross_site(
    State(own): State<OwnOrigin>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    match refusal(&own, request.headers()) {
        None => next.run(request).await,
        Some(reason) => {
            tracing::warn!(path = %request.uri().path(), reason, "cross-site request refused");
            let message = format!("Cross-site request refused: {reason}.");
            (StatusCode::FORBIDDEN, message).into_response()
        }
    }
}

fn refusal(own: &OwnOrigin, headers: &HeaderMap) -> Option<&'static str> {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    match text("sec-fetch-site") {
        // The browser's own verdict; "none" is a navigation the user started (address bar).
        Some("same-origin" | "none") => return None,
        Some(_) => return Some("the browser says it comes from another site"),
        None => {}
    }
    match text(header::ORIGIN.as_str()) {
        None => None,
        Some(origin) if own.accepts(origin, headers) => None,
        Some(_) => Some("its Origin is not this dashboard"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_browsers_verdict_decides_when_present() {
        let own = OwnOrigin::default();
        for site in ["cross-site", "same-site"] {
            let request = headers(&[("sec-fetch-site", site), ("host", "r.test")]);
            assert!(refusal(&own, &request).is_some(), "{site}");
        }
        let request = headers(&[("sec-fetch-site", "same-origin"), ("origin", "http://x")]);
        assert_eq!(refusal(&own, &request), None);
    }

    #[test]
    fn without_it_the_origin_must_match_the_host_or_the_public_url() {
        let own = OwnOrigin::default();
        let same = headers(&[("origin", "http://r.test:3000"), ("host", "r.test:3000")]);
        assert_eq!(refusal(&own, &same), None);
        let port = headers(&[("origin", "http://r.test:4000"), ("host", "r.test:3000")]);
        assert!(refusal(&own, &port).is_some());
        let opaque = headers(&[("origin", "null"), ("host", "r.test:3000")]);
        assert!(refusal(&own, &opaque).is_some());
        let behind_proxy = OwnOrigin::new(Some(&"https://regatta.test".parse().unwrap()));
        let proxied = headers(&[
            ("origin", "https://regatta.test"),
            ("host", "10.0.0.5:3000"),
        ]);
        assert_eq!(refusal(&behind_proxy, &proxied), None);
        let direct = headers(&[
            ("origin", "http://10.0.0.5:3000"),
            ("host", "10.0.0.5:3000"),
        ]);
        assert!(refusal(&behind_proxy, &direct).is_some());
        assert_eq!(refusal(&own, &headers(&[("host", "r.test")])), None);
    }
}
