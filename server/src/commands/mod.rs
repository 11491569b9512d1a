mod promote;
mod serve;
mod user;

pub use promote::promote;
pub use serve::serve;
pub use user::user;
