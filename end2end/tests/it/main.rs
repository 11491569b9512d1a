//! One integration-test binary for the crate (each binary links the world: one link instead of
//! one per file). Each module is one concern.

mod browse;
mod deletion;
mod gc;
mod login_and_hydration;
mod postgres_fixture;
mod promotion;
mod registry_fixture;
mod retention;
mod search;
mod sso;
mod storage;
mod users;
