//! Server functions, one per file. Each is a thin adapter: who is calling, one domain call,
//! map to a DTO.

mod check_registry;
mod dashboard;
mod login;
mod logout;

pub use check_registry::{check_registry, CheckRegistry};
pub use dashboard::{load_dashboard, LoadDashboard};
pub use login::{login, Login};
pub use logout::{logout, Logout};
