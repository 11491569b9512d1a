//! The search box's language: free words plus `key:value` filters, e.g. `tag:1.4 env:prod
//! arch:arm64`, a digest (`sha256:…` or the short hex people copy), or a pasted image reference
//! (`localhost:5000/dev/shop-api:1.2.0`). Parsing never fails on odd characters — they are only
//! ever matched literally — but an unknown filter or a malformed value is refused with a message
//! that says what is accepted.

use time::{Date, Duration};

/// Filter keys the query understands, as shown in error messages and the help text.
pub const FILTER_KEYS: &str =
    "registry:, env:, ns:, repo:, tag:, os:, arch:, platform:, after:, before:, signed:, digest:, layer:, size:, sort:size";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Every term must match; each matches repository names, tag names, or (hex) digests.
    pub terms: Vec<Term>,
    pub registries: Vec<String>,
    pub environments: Vec<String>,
    /// Repository path prefixes, without the trailing `/`.
    pub namespaces: Vec<String>,
    pub platforms: Vec<PlatformFilter>,
    pub pushed_after: Option<TimeBound>,
    pub pushed_before: Option<TimeBound>,
    pub signed: Option<bool>,
    /// Tags whose manifest, one of its platform images, or its config has this digest.
    pub digests: Vec<DigestPrefix>,
    /// Tags whose image (or one of whose platform images) contains this layer.
    pub layers: Vec<DigestPrefix>,
    /// Bounds on the image's size (config and layers, all platforms of an index): all hold.
    pub sizes: Vec<SizeBound>,
    /// `sort:size`: largest images first (then by relevance), instead of relevance alone.
    pub largest_first: bool,
}

/// `size:>100MB`, `size:<=1GiB`: the image's size against a number of bytes (`kB`, `MB`, `GB`,
/// `TB` count in 1000s, as sizes are shown; `KiB`, `MiB`, `GiB`, `TiB` in 1024s; no unit: bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeBound {
    pub op: SizeOp,
    pub bytes: i64,
    /// As typed (`>100MB`), for the chips.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeOp {
    Above,
    AtLeast,
    Below,
    AtMost,
}

impl SizeOp {
    pub fn sql(self) -> &'static str {
        match self {
            Self::Above => " > ",
            Self::AtLeast => " >= ",
            Self::Below => " < ",
            Self::AtMost => " <= ",
        }
    }
}

impl SearchQuery {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// How the query was understood, one short phrase per part, for the chips above the results.
    pub fn describe(&self) -> Vec<String> {
        let mut parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t.scope {
                TermScope::Anywhere if t.digest.is_some() => format!("“{}” or digest", t.text),
                TermScope::Anywhere => format!("“{}”", t.text),
                TermScope::Repository => format!("repository “{}”", t.text),
                TermScope::Tag => format!("tag “{}”", t.text),
            })
            .collect();
        parts.extend(self.registries.iter().map(|r| format!("registry {r}")));
        parts.extend(self.environments.iter().map(|e| format!("env {e}")));
        parts.extend(self.namespaces.iter().map(|n| format!("namespace {n}/")));
        parts.extend(self.platforms.iter().map(|p| {
            let named = [&p.os, &p.architecture, &p.variant];
            let named: Vec<&str> = named.iter().filter_map(|v| v.as_deref()).collect();
            format!("platform {}", named.join("/"))
        }));
        let bound = |b: &TimeBound| match b {
            TimeBound::Date(d) => d.to_string(),
            TimeBound::Ago(d) => format!("{} h ago", d.whole_hours()),
        };
        parts.extend(
            self.pushed_after
                .iter()
                .map(|b| format!("pushed after {}", bound(b))),
        );
        parts.extend(
            self.pushed_before
                .iter()
                .map(|b| format!("pushed before {}", bound(b))),
        );
        parts.extend(
            self.signed
                .map(|s| if s { "signed" } else { "unsigned" }.to_string()),
        );
        parts.extend(
            self.digests
                .iter()
                .map(|d| format!("digest {}", d.as_str())),
        );
        parts.extend(
            self.layers
                .iter()
                .map(|d| format!("contains layer {}", d.as_str())),
        );
        parts.extend(self.sizes.iter().map(|b| format!("size {}", b.text)));
        if self.largest_first {
            parts.push("largest first".to_string());
        }
        parts
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Lower-cased; matched as a substring, ranked exact > prefix > substring.
    pub text: String,
    pub scope: TermScope,
    /// Set when the term is hex enough to be a short digest (a git SHA tag looks the same, so
    /// the term matches either).
    pub digest: Option<DigestPrefix>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermScope {
    Anywhere,
    Repository,
    Tag,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformFilter {
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
}

/// `after:2026-11-01` or `after:7d` (within the last seven days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    Date(Date),
    Ago(Duration),
}

/// `sha256:` followed by 1 to 64 lower-case hex digits: a whole digest or the start of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestPrefix(String);

impl DigestPrefix {
    /// Accepts `sha256:<hex>`, `sha512:<hex>` or bare hex (taken as sha256), any case.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.to_ascii_lowercase();
        let (algorithm, hex) = text.split_once(':').unwrap_or(("sha256", &text));
        let max = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => return None,
        };
        let hex_ok =
            !hex.is_empty() && hex.len() <= max && hex.bytes().all(|b| b.is_ascii_hexdigit());
        hex_ok.then(|| Self(format!("{algorithm}:{hex}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The smallest string above every digest starting with this prefix (`~` sorts after hex),
    /// so `digest >= prefix AND digest < upper` is a range an index can serve.
    pub fn upper_bound(&self) -> String {
        format!("{}~", self.0)
    }
}

/// Shortest bare hex word also tried as a digest: `docker images` shows 12, git tags often 7.
const MIN_BARE_DIGEST_HEX: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// Longer queries are refused: each word costs index lookups and typo matching.
const MAX_QUERY_CHARS: usize = 500;
const MAX_WORDS: usize = 16;

pub fn parse(input: &str) -> Result<SearchQuery, QueryError> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError(format!(
            "The search is too long: at most {MAX_QUERY_CHARS} characters."
        )));
    }
    if input.split_whitespace().count() > MAX_WORDS {
        return Err(QueryError(format!(
            "The search has too many parts: at most {MAX_WORDS} words and filters."
        )));
    }
    let mut query = SearchQuery::default();
    for token in input.split_whitespace() {
        let token = token.trim_matches('"');
        if token.is_empty() {
            continue;
        }
        let filter = token
            .split_once(':')
            .filter(|(key, _)| is_filter_key(key) || !looks_like_reference(token));
        if let Some(digest) = token.strip_prefix('@') {
            query.digests.push(digest_value("digest", digest)?);
        } else if let Some((key, value)) = filter {
            add_filter(&mut query, key, value)?;
        } else if looks_like_reference(token) {
            add_reference(&mut query, token)?;
        } else {
            query.terms.push(term(token, TermScope::Anywhere));
        }
    }
    Ok(query)
}

fn term(text: &str, scope: TermScope) -> Term {
    let digest = (scope != TermScope::Repository
        && text.len() >= MIN_BARE_DIGEST_HEX
        && text.bytes().all(|b| b.is_ascii_hexdigit()))
    .then(|| DigestPrefix::parse(text))
    .flatten();
    Term {
        text: text.to_lowercase(),
        scope,
        digest,
    }
}

fn add_filter(query: &mut SearchQuery, typed_key: &str, value: &str) -> Result<(), QueryError> {
    let key = typed_key.to_ascii_lowercase();
    if value.is_empty() {
        return Err(QueryError(format!(
            "`{key}:` needs a value, e.g. `{key}:{}`.",
            example(&key)
        )));
    }
    match key.as_str() {
        "sha256" | "sha512" => query
            .digests
            .push(digest_value("digest", &format!("{key}:{value}"))?),
        "registry" | "reg" => query.registries.push(value.to_string()),
        "env" | "environment" => query.environments.push(value.to_lowercase()),
        "ns" | "namespace" => query
            .namespaces
            .push(value.trim_end_matches('/').to_lowercase()),
        "repo" | "repository" | "name" => query.terms.push(term(value, TermScope::Repository)),
        "tag" => query.terms.push(term(value, TermScope::Tag)),
        "os" => query.platforms.push(PlatformFilter {
            os: Some(value.to_lowercase()),
            ..PlatformFilter::default()
        }),
        "arch" | "architecture" => query.platforms.push(PlatformFilter {
            architecture: Some(value.to_lowercase()),
            ..PlatformFilter::default()
        }),
        "platform" => query.platforms.push(platform(value)?),
        "after" | "since" => query.pushed_after = Some(time_bound(&key, value)?),
        "before" | "until" => query.pushed_before = Some(time_bound(&key, value)?),
        "signed" | "is" | "has" => query.signed = Some(signed(&key, value)?),
        "digest" => query.digests.push(digest_value(&key, value)?),
        "layer" | "base" => query.layers.push(digest_value(&key, value)?),
        "size" => query.sizes.push(size_bound(value)?),
        "sort" | "order" => query.largest_first = sort_order(value)?,
        // Repository names are lower-case, so `Colour:red` is a mistyped filter, `nginx:1.25` an
        // image; and `size:>10mb` is a filter we lack, as `>10mb` cannot be a tag.
        _ if is_repository_like(typed_key) && crate::registry::Tag::parse(value).is_ok() => {
            return add_reference(query, &format!("{typed_key}:{value}"))
        }
        _ => {
            return Err(QueryError(format!(
                "Unknown filter `{key}:`. Filters are {FILTER_KEYS}"
            )))
        }
    }
    Ok(())
}

fn is_filter_key(key: &str) -> bool {
    const KEYS: &[&str] = &[
        "sha256",
        "sha512",
        "registry",
        "reg",
        "env",
        "environment",
        "ns",
        "namespace",
        "repo",
        "repository",
        "name",
        "tag",
        "os",
        "arch",
        "architecture",
        "platform",
        "after",
        "since",
        "before",
        "until",
        "signed",
        "is",
        "has",
        "digest",
        "layer",
        "base",
        "size",
        "sort",
        "order",
    ];
    KEYS.contains(&key.to_ascii_lowercase().as_str())
}

fn example(key: &str) -> &'static str {
    match key {
        "registry" | "reg" => "local",
        "env" | "environment" => "prod",
        "ns" | "namespace" => "dev",
        "os" => "linux",
        "arch" | "architecture" => "arm64",
        "platform" => "linux/arm64",
        "after" | "since" | "before" | "until" => "2026-11-01",
        "signed" | "is" | "has" => "yes",
        "digest" | "layer" | "base" => "sha256:4f1c",
        "size" => ">100MB",
        "sort" | "order" => "size",
        _ => "1.4",
    }
}

fn digest_value(key: &str, value: &str) -> Result<DigestPrefix, QueryError> {
    DigestPrefix::parse(value).ok_or_else(|| {
        QueryError(format!(
            "`{key}:{value}` is not a digest: use `sha256:` and hex digits, or the first hex digits alone."
        ))
    })
}

/// `sort:size` (largest first) or `sort:relevance` (the default).
fn sort_order(value: &str) -> Result<bool, QueryError> {
    match value.to_ascii_lowercase().as_str() {
        "size" | "largest" => Ok(true),
        "relevance" | "rank" => Ok(false),
        _ => Err(QueryError(format!(
            "`sort:{value}` is not an order: use `sort:size` (largest first) or `sort:relevance`."
        ))),
    }
}

fn size_bound(value: &str) -> Result<SizeBound, QueryError> {
    let refuse = || {
        QueryError(format!(
            "`size:{value}` is not a size bound: use >, >=, < or <= and a size, e.g. `size:>100MB` or `size:<1GiB`."
        ))
    };
    let (op, rest) = [
        (">=", SizeOp::AtLeast),
        ("<=", SizeOp::AtMost),
        (">", SizeOp::Above),
        ("<", SizeOp::Below),
    ]
    .into_iter()
    .find_map(|(text, op)| value.strip_prefix(text).map(|rest| (op, rest)))
    .ok_or_else(refuse)?;
    let digits = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, unit) = rest.split_at(digits);
    let number: f64 = number.parse().map_err(|_| refuse())?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(refuse()),
    };
    let bytes = number * scale;
    if !bytes.is_finite() || bytes > i64::MAX as f64 {
        return Err(refuse());
    }
    Ok(SizeBound {
        op,
        bytes: bytes.round() as i64,
        text: value.to_string(),
    })
}

fn platform(value: &str) -> Result<PlatformFilter, QueryError> {
    let mut parts = value.split('/').map(str::to_lowercase);
    let filter = PlatformFilter {
        os: parts.next().filter(|s| !s.is_empty()),
        architecture: parts.next().filter(|s| !s.is_empty()),
        variant: parts.next().filter(|s| !s.is_empty()),
    };
    if parts.next().is_some() || filter.os.is_none() {
        return Err(QueryError(format!(
            "`platform:{value}` is not a platform: use os/arch[/variant], e.g. `platform:linux/arm64/v8`."
        )));
    }
    Ok(filter)
}

fn time_bound(key: &str, value: &str) -> Result<TimeBound, QueryError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(value, format) {
        return Ok(TimeBound::Date(date));
    }
    let (count, unit) = value.split_at(value.len().saturating_sub(1));
    let ago = count.parse::<i64>().ok().and_then(|n| match unit {
        "h" => Some(Duration::hours(n)),
        "d" => Some(Duration::days(n)),
        "w" => Some(Duration::weeks(n)),
        _ => None,
    });
    ago.map(TimeBound::Ago).ok_or_else(|| {
        QueryError(format!(
            "`{key}:{value}` is not a time: use a date like `{key}:2026-11-01` or an age like `{key}:7d` (h, d, w)."
        ))
    })
}

fn signed(key: &str, value: &str) -> Result<bool, QueryError> {
    match (key, value.to_ascii_lowercase().as_str()) {
        ("signed", "yes" | "true" | "1") | ("is" | "has", "signed" | "signature") => Ok(true),
        ("signed", "no" | "false" | "0") | ("is" | "has", "unsigned") => Ok(false),
        _ => Err(QueryError(format!(
            "`{key}:{value}`: use `signed:yes`, `signed:no` or `is:signed`."
        ))),
    }
}

/// `dev/app:1.2`, `localhost:5000/dev/app:1.2`, `dev/app@sha256:…` — something pasted from a
/// pull command rather than typed as a filter.
fn looks_like_reference(token: &str) -> bool {
    token.contains('@') || (token.contains('/') && token.contains(':'))
}

fn is_repository_like(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
}

/// Splits a pasted reference into repository and tag/digest terms, dropping a registry host
/// (a first segment with `.` or `:`, or `localhost`), which the index does not store by host.
fn add_reference(query: &mut SearchQuery, token: &str) -> Result<(), QueryError> {
    let (name, digest) = match token.split_once('@') {
        Some((name, digest)) => (name, Some(digest_value("digest", digest)?)),
        None => (token, None),
    };
    let (name, tag) = match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
        _ => (name, None),
    };
    let name = match name.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => name,
    };
    if !name.is_empty() {
        query.terms.push(term(name, TermScope::Repository));
    }
    if let Some(tag) = tag.filter(|t| !t.is_empty()) {
        query.terms.push(term(tag, TermScope::Tag));
    }
    query.digests.extend(digest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &SearchQuery) -> Vec<(&str, TermScope)> {
        q.terms.iter().map(|t| (t.text.as_str(), t.scope)).collect()
    }

    #[test]
    fn words_and_filters() {
        let q = parse("Shop tag:1.4 env:prod arch:arm64 registry:local").unwrap();
        assert_eq!(
            words(&q),
            [("shop", TermScope::Anywhere), ("1.4", TermScope::Tag)]
        );
        assert_eq!(q.environments, ["prod"]);
        assert_eq!(q.registries, ["local"]);
        assert_eq!(q.platforms[0].architecture.as_deref(), Some("arm64"));
    }

    #[test]
    fn pasted_references() {
        let q = parse("localhost:5000/dev/shop-api:1.2.0").unwrap();
        assert_eq!(
            words(&q),
            [
                ("dev/shop-api", TermScope::Repository),
                ("1.2.0", TermScope::Tag)
            ]
        );
        let q = parse("nginx:1.25").unwrap();
        assert_eq!(
            words(&q),
            [("nginx", TermScope::Repository), ("1.25", TermScope::Tag)]
        );
        let q = parse("dev/app@sha256:ABCDEF").unwrap();
        assert_eq!(q.digests[0].as_str(), "sha256:abcdef");
    }

    #[test]
    fn digests_full_short_and_hex_words() {
        let q = parse("sha256:4f1c").unwrap();
        assert_eq!(q.digests[0].as_str(), "sha256:4f1c");
        assert_eq!(q.digests[0].upper_bound(), "sha256:4f1c~");
        let q = parse("3f2a9c1b7e4d").unwrap();
        assert_eq!(
            q.terms[0].digest.as_ref().map(DigestPrefix::as_str),
            Some("sha256:3f2a9c1b7e4d")
        );
        assert!(parse("1.2.0").unwrap().terms[0].digest.is_none());
        assert!(
            parse("cafe").unwrap().terms[0].digest.is_none(),
            "too short"
        );
        assert!(parse("layer:xyz").unwrap_err().0.contains("not a digest"));
    }

    #[test]
    fn times_and_signatures() {
        let q = parse("after:2026-11-01 before:7d signed:yes").unwrap();
        assert!(matches!(q.pushed_after, Some(TimeBound::Date(_))));
        assert_eq!(q.pushed_before, Some(TimeBound::Ago(Duration::days(7))));
        assert_eq!(q.signed, Some(true));
        assert_eq!(parse("is:unsigned").unwrap().signed, Some(false));
        assert!(parse("after:yesterday")
            .unwrap_err()
            .0
            .contains("`after:7d`"));
    }

    #[test]
    fn sizes_count_in_thousands_or_in_binary_units() {
        let q = parse("size:>100MB size:<=1GiB").unwrap();
        let bounds: Vec<(SizeOp, i64)> = q.sizes.iter().map(|b| (b.op, b.bytes)).collect();
        assert_eq!(
            bounds,
            [
                (SizeOp::Above, 100_000_000),
                (SizeOp::AtMost, 1_073_741_824)
            ]
        );
        assert_eq!(parse("size:>=1.5kb").unwrap().sizes[0].bytes, 1500);
        assert_eq!(parse("size:<42").unwrap().sizes[0].bytes, 42);
        assert_eq!(q.describe(), ["size >100MB", "size <=1GiB"]);
        assert!(parse("sort:size").unwrap().largest_first);
        assert!(parse("sort:colour").unwrap_err().0.contains("`sort:size`"));
        for bad in ["size:100MB", "size:>", "size:>1XB", "size:>1e999"] {
            let e = parse(bad).unwrap_err();
            assert!(e.0.contains("is not a size bound"), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_filters_say_what_is_accepted() {
        let e = parse("Colour:red").unwrap_err();
        assert!(e.0.contains("Unknown filter `colour:`"), "{e}");
        assert!(e.0.contains("arch:"), "{e}");
        assert!(parse("env:").unwrap_err().0.contains("`env:prod`"));
        assert!(parse("platform:a/b/c/d").is_err());
        for unknown in ["pulled:>30d", "Colour:>10mb"] {
            let e = parse(unknown).unwrap_err();
            assert!(e.0.starts_with("Unknown filter"), "{unknown}: {e}");
        }
        let image = parse("nginx:1.25").unwrap();
        assert_eq!(image.terms.len(), 2, "a repository and a tag: {image:?}");
    }

    #[test]
    fn fts_and_sql_syntax_is_just_text() {
        for input in [
            "\"",
            "*",
            "NEAR(",
            "'; DROP TABLE tags; --",
            "a\"b",
            "(",
            "^x",
        ] {
            assert!(parse(input).is_ok(), "{input}");
        }
        assert!(parse("   ").unwrap().is_empty());
    }
}
