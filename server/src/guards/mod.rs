//! What every request passes before a handler sees it: a ceiling on its body, a same-origin
//! check on anything that changes state, and the security headers on every answer.

mod body_limit;
mod same_origin;
mod security_headers;

pub use body_limit::{limit_body, BodyLimit};
pub use same_origin::{refuse_cross_site, OwnOrigin};
pub use security_headers::security_headers;
