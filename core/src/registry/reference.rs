//! Names, tags and digests, parsed by the grammar of the OCI distribution spec ("Pulling
//! manifests": `<name>` and `<reference>`) and distribution's `reference` package. A value of
//! these types is valid by construction; errors say what is wrong in the user's terms.

use std::fmt;
use std::str::FromStr;

/// Longest repository name distribution accepts (host excluded).
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("`{name}` is not a valid repository name: {reason}")]
    Name { name: String, reason: &'static str },
    #[error("`{tag}` is not a valid tag: {reason}")]
    Tag { tag: String, reason: &'static str },
    #[error("`{digest}` is not a valid digest: {reason}")]
    Digest {
        digest: String,
        reason: &'static str,
    },
    #[error("`{input}` is not `REPOSITORY:TAG` or `REPOSITORY@DIGEST`: {reason}")]
    Pull { input: String, reason: &'static str },
}

/// A repository name such as `dev/shop-api`: lowercase path components joined by `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoName(String);

impl RepoName {
    pub fn parse(name: &str) -> Result<Self, ReferenceError> {
        let fail = |reason| ReferenceError::Name {
            name: name.to_string(),
            reason,
        };
        if name.is_empty() {
            return Err(fail("it is empty"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(fail("it is longer than 255 characters"));
        }
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(fail("uppercase letters are not allowed"));
        }
        for component in name.split('/') {
            check_path_component(component).map_err(fail)?;
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn check_path_component(component: &str) -> Result<(), &'static str> {
    if component.is_empty() {
        return Err("it has an empty path component (`//`, or `/` at an end)");
    }
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err("each path component must start and end with a letter or digit");
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let run_end = bytes[i..]
            .iter()
            .position(|&b| alnum(b))
            .map_or(bytes.len(), |p| i + p);
        let separator = &component[i..run_end];
        let allowed = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !allowed {
            return Err(if separator.bytes().all(|b| b"._-".contains(&b)) {
                "separators are one `.`, one or two `_`, or dashes"
            } else {
                "only lowercase letters, digits and the separators . _ - are allowed"
            });
        }
        i = run_end;
    }
    Ok(())
}

/// A tag such as `1.4.2` or `latest`: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    pub fn parse(tag: &str) -> Result<Self, ReferenceError> {
        let fail = |reason| ReferenceError::Tag {
            tag: tag.to_string(),
            reason,
        };
        let Some(first) = tag.chars().next() else {
            return Err(fail("it is empty"));
        };
        if tag.len() > MAX_TAG_LEN {
            return Err(fail("it is longer than 128 characters"));
        }
        if !(first.is_ascii_alphanumeric() || first == '_') {
            return Err(fail("it must start with a letter, digit or `_`"));
        }
        if !tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err(fail("only letters, digits and _ . - are allowed"));
        }
        Ok(Self(tag.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A content digest such as `sha256:<64 hex>` (OCI image-spec "Digests").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    pub fn parse(digest: &str) -> Result<Self, ReferenceError> {
        let fail = |reason| ReferenceError::Digest {
            digest: digest.to_string(),
            reason,
        };
        let (algorithm, encoded) = digest
            .split_once(':')
            .ok_or_else(|| fail("it has no `algorithm:` prefix"))?;
        let hex_len = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(fail("the algorithm must be sha256 or sha512")),
        };
        if encoded.len() != hex_len {
            return Err(fail(if hex_len == 64 {
                "sha256 needs 64 hex digits"
            } else {
                "sha512 needs 128 hex digits"
            }));
        }
        if !encoded
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(fail("the hex digits must be lowercase 0-9a-f"));
        }
        Ok(Self(digest.to_string()))
    }

    /// The digest of `bytes` with sha256, the algorithm registries use.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        use sha2::Digest as _;
        Self(format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(bytes))
        ))
    }

    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or_default()
    }

    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or_default()
    }

    /// Whether `bytes` hash to this digest, with this digest's algorithm.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        use sha2::Digest as _;
        let actual = match self.algorithm() {
            "sha512" => hex::encode(sha2::Sha512::digest(bytes)),
            _ => hex::encode(sha2::Sha256::digest(bytes)),
        };
        actual == self.hex()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What follows the name in a pull: a tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reference {
    Tag(Tag),
    Digest(Digest),
}

impl Reference {
    /// A digest when it has the `algorithm:` shape, else a tag.
    pub fn parse(reference: &str) -> Result<Self, ReferenceError> {
        if reference.contains(':') {
            Digest::parse(reference).map(Reference::Digest)
        } else {
            Tag::parse(reference).map(Reference::Tag)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Reference::Tag(tag) => tag.as_str(),
            Reference::Digest(digest) => digest.as_str(),
        }
    }
}

/// `dev/app:1.2` or `dev/app@sha256:…`: a repository and what to pull from it (no host).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoReference {
    pub repository: RepoName,
    pub reference: Reference,
}

impl RepoReference {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let (name, reference) = match input.split_once('@') {
            Some((name, digest)) => (name, Reference::Digest(Digest::parse(digest)?)),
            None => match input.rsplit_once(':') {
                // A `:` before the last `/` is a host's port, not a tag.
                Some((name, tag)) if !tag.contains('/') => (name, Reference::Tag(Tag::parse(tag)?)),
                _ => {
                    return Err(ReferenceError::Pull {
                        input: input.to_string(),
                        reason: "it names no tag or digest",
                    })
                }
            },
        };
        Ok(Self {
            repository: RepoName::parse(name)?,
            reference,
        })
    }
}

impl fmt::Display for RepoReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reference {
            Reference::Tag(tag) => write!(f, "{}:{tag}", self.repository),
            Reference::Digest(digest) => write!(f, "{}@{digest}", self.repository),
        }
    }
}

macro_rules! text_type {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ReferenceError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    )*};
}
text_type!(RepoName, Tag, Digest, Reference);

impl From<Tag> for Reference {
    fn from(tag: Tag) -> Self {
        Reference::Tag(tag)
    }
}

impl From<Digest> for Reference {
    fn from(digest: Digest) -> Self {
        Reference::Digest(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_reference_takes_a_tag_or_a_digest() {
        let tagged = RepoReference::parse("dev/shop-api:1.2.0").unwrap();
        assert_eq!(tagged.repository.as_str(), "dev/shop-api");
        assert_eq!(
            tagged.reference,
            Reference::Tag(Tag::parse("1.2.0").unwrap())
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        let pinned = RepoReference::parse(&format!("dev/app@{digest}")).unwrap();
        assert_eq!(pinned.reference.as_str(), digest);
        assert_eq!(pinned.to_string(), format!("dev/app@{digest}"));
        for bad in [
            "dev/app",
            "localhost:5000/dev/app",
            "Dev/App:1",
            "dev/app:",
            "dev/app@sha256:xyz",
        ] {
            assert!(RepoReference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repository_names_follow_the_distribution_grammar() {
        for ok in [
            "app",
            "dev/shop-api",
            "a/b/c",
            "my_app",
            "my__app",
            "a--b",
            "v1.2/x",
        ] {
            assert!(RepoName::parse(ok).is_ok(), "{ok}");
        }
        let reason = |name: &str| RepoName::parse(name).unwrap_err().to_string();
        assert_eq!(
            reason("Dev/App"),
            "`Dev/App` is not a valid repository name: uppercase letters are not allowed"
        );
        assert!(reason("dev//app").contains("empty path component"));
        assert!(reason("/app").contains("empty path component"));
        assert!(reason("-app").contains("start and end with a letter or digit"));
        assert!(reason("a___b").contains("separators are"));
        assert!(reason("a._b").contains("separators are"));
        assert!(reason("a b").contains("only lowercase letters"));
        assert!(reason(&"a".repeat(256)).contains("longer than 255"));
    }

    #[test]
    fn tags_follow_the_distribution_grammar() {
        for ok in ["latest", "1.4.2", "_x", "V1-rc.2", &"a".repeat(128)] {
            assert!(Tag::parse(ok).is_ok(), "{ok}");
        }
        assert!(Tag::parse(".hidden")
            .unwrap_err()
            .to_string()
            .contains("must start with"));
        assert!(Tag::parse("a/b")
            .unwrap_err()
            .to_string()
            .contains("only letters"));
        assert!(Tag::parse(&"a".repeat(129))
            .unwrap_err()
            .to_string()
            .contains("longer than 128"));
        assert!(Tag::parse("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn digests_are_checked_and_verified() {
        let digest = Digest::sha256_of(b"hello");
        assert_eq!(digest.hex().len(), 64);
        assert!(digest.matches(b"hello") && !digest.matches(b"hello!"));
        assert_eq!(Digest::parse(digest.as_str()).unwrap(), digest);
        assert!(Digest::parse("sha256:abc")
            .unwrap_err()
            .to_string()
            .contains("64 hex"));
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64)))
            .unwrap_err()
            .to_string()
            .contains("lowercase"));
        assert!(Digest::parse("md5:abc")
            .unwrap_err()
            .to_string()
            .contains("sha256 or sha512"));
    }

    #[test]
    fn references_are_tags_or_digests() {
        assert!(matches!(
            Reference::parse("1.0").unwrap(),
            Reference::Tag(_)
        ));
        let digest = Digest::sha256_of(b"x").to_string();
        assert!(matches!(
            Reference::parse(&digest).unwrap(),
            Reference::Digest(_)
        ));
        assert!(Reference::parse("sha256:nothex").is_err());
    }
}
