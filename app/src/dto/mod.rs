//! What crosses the wire between server functions and the browser, one file per area, each
//! with its `From` conversions from domain values (server only). No secrets, ever: DTOs have
//! no field that could hold one. Values stay typed (sizes in bytes, moments as [`When`]);
//! `crate::format` renders them, the same on the server and in the browser.

mod api_docs;
mod audit;
mod browse;
mod dashboard;
mod deletion;
mod gc;
mod image;
mod promotion;
mod retention;
mod search;
mod storage;
mod users;

pub use api_docs::*;
pub use audit::*;
pub use browse::*;
pub use dashboard::*;
pub use deletion::*;
pub use gc::*;
pub use image::*;
pub use promotion::*;
pub use retention::*;
pub use search::*;
pub use storage::*;
pub use users::*;

use serde::{Deserialize, Serialize};

/// A moment, in seconds since 1970 UTC (shown by `format::date_time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct When {
    pub unix_seconds: i64,
}

#[cfg(feature = "ssr")]
impl From<time::OffsetDateTime> for When {
    fn from(at: time::OffsetDateTime) -> Self {
        Self {
            unix_seconds: at.unix_timestamp(),
        }
    }
}

#[cfg(feature = "ssr")]
impl When {
    /// An RFC 3339 time from an image config (`created`); `None` when it is not one.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(Self::from)
    }
}
