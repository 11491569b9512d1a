//! What every request passes before a handler sees it: a ceiling on its body, a same-origin
//! check on anything that changes state, the security headers on every answer, and the right
//! status on errors the server-function layer raises itself.

mod body_limit;
mod same_origin;
mod security_headers;
mod server_fn_status;

pub use body_limit::{limit_body, BodyLimit};
pub use same_origin::{refuse_cross_site, OwnOrigin};
pub use security_headers::security_headers;
pub use server_fn_status::server_fn_status;
