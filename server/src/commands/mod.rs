mod serve;
mod user;

pub use serve::serve;
pub use user::user;
