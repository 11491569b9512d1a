//! Regatta's user interface: pages and components (one per file), the server functions they
//! call (thin adapters over `regatta-core`, compiled only on the server), and the DTOs that
//! cross the wire.

pub mod api;
mod app;
pub mod components;
pub mod dto;
mod error;
pub mod format;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};
pub use error::AppError;
