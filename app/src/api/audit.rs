//! The audit trail's page: one server function, the filters of the /audit form.

use crate::dto::AuditListing;
use crate::AppError;
use leptos::prelude::*;

/// Empty fields do not filter; `before` is the cursor of an older page.
#[server(prefix = "/api", endpoint = "audit")]
pub async fn load_audit(
    user: Option<String>,
    action: Option<String>,
    target: Option<String>,
    result: Option<String>,
    from: Option<String>,
    until: Option<String>,
    before: Option<i64>,
) -> Result<AuditListing, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    use regatta_core::audit::{audit_page, AuditFilter};
    let services = services()?;
    let me = current_user(&services).await?;
    let filter = AuditFilter::from_fields(
        user,
        action,
        target,
        result,
        from.as_deref(),
        until.as_deref(),
    )
    .map_err(from_domain)?;
    let page = audit_page(&services, &me, &filter, before)
        .await
        .map_err(from_domain)?;
    Ok(AuditListing {
        rows: page.rows.into_iter().map(Into::into).collect(),
        older: page.older,
    })
}
