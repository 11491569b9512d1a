//! The `regatta` binary's library half: CLI, start-up and the HTTP router. Kept as a library so
//! that tests and the binary build the same `Application`.

mod api_v1;
mod assets;
pub mod cli;
mod commands;
mod downloads;
mod guards;
mod health;
mod hooks;
mod jobs;
mod login_gate;
mod metrics;
mod router;
mod session_store;
mod session_touch;
mod sso;
pub mod startup;
pub mod telemetry;
