// `sqlx::migrate!` embeds the migration files at compile time but does not tell cargo about the
// directory: a new migration alone would not rebuild this crate (sqlx's documented fix).
fn main() {
    println!("cargo:rerun-if-changed=../migrations/sqlite");
    println!("cargo:rerun-if-changed=../migrations/postgres");
}
