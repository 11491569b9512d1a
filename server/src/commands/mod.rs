//! One file per `regatta` command, each declaring its own arguments.

mod backup;
mod delete;
mod gc;
mod migrate_db;
mod promote;
mod retention;
mod serve;
mod storage;
mod token;
mod trash;
mod user;

pub use backup::backup;
pub use delete::{delete, DeleteArgs};
pub use gc::{gc, GcArgs};
pub use migrate_db::{migrate_db, MigrateDbArgs};
pub use promote::{promote, PromoteArgs};
pub use retention::{retention, RetentionArgs};
pub use serve::serve;
pub use storage::{storage, StorageArgs};
pub use token::{token, TokenCommand};
pub use trash::{trash, TrashCommand};
pub use user::{user, UserCommand};

use regatta_core::audit::Actor;
use regatta_core::users::{Role, User};

/// CLI changes are made as an admin (whoever runs the CLI holds the configuration and the
/// database) and audited under the operating-system user who ran them.
fn cli_actor() -> Actor {
    let name = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    Actor::new(
        User::not_stored(format!("{name} (cli)"), Role::Admin),
        "cli",
    )
}

/// A time as the CLI prints it: RFC 3339 to the second, UTC as the database keeps it.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}
