//! Hostile requests against the real binary, by concern. Each asserts a clear answer and that
//! nothing changed (no session, no audit row).

mod bodies;
mod headers;
mod origin;
mod paths;
mod throttle;

use end2end::app_fixture::{ADMIN_PASSWORD, ADMIN_USER};

fn login_form() -> String {
    format!("username={ADMIN_USER}&password={ADMIN_PASSWORD}&next=%2F")
}
