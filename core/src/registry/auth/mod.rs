//! Authentication to a registry: anonymous, Basic, or Bearer tokens obtained by answering the
//! registry's challenge (docker token authentication). Operations never see any of this.

pub mod challenge;
pub mod credentials;
mod realm;
mod scope;
pub mod token;

pub use challenge::{parse_challenges, Challenge};
pub use credentials::{from_docker_config, Credentials};
pub use realm::validate_realm;
pub use scope::Scope;
pub use token::{TokenCache, TokenEndpoint};

/// What a registry asked for the first time it refused us; remembered so later requests
/// carry the right credentials without another 401 round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    Basic,
    Bearer(TokenEndpoint),
}
