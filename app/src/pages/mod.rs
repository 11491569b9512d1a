mod api_docs_page;
mod audit_page;
mod dashboard_page;
mod delete_page;
mod gc_page;
mod gc_run_page;
mod image_page;
mod login_page;
mod namespace_page;
mod not_found_page;
mod promotions_page;
mod registry_page;
mod repository_list;
mod repository_page;
mod retention_page;
mod retention_run_page;
mod search_page;
mod settings_page;
mod storage_page;
mod trash_page;
mod user_rights_page;
mod users_page;

/// `?page=N` of a paged list, 1 when absent or not a number.
fn page_number(query: leptos::prelude::Memo<leptos_router::params::ParamsMap>) -> i64 {
    use leptos::prelude::*;
    query
        .read()
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
}

pub use api_docs_page::ApiDocsPage;
pub use audit_page::AuditPage;
pub use dashboard_page::DashboardPage;
pub use delete_page::DeletePage;
pub use gc_page::GcPage;
pub use gc_run_page::GcRunPage;
pub use image_page::ImagePage;
pub use login_page::LoginPage;
pub use namespace_page::NamespacePage;
pub use not_found_page::NotFoundPage;
pub use promotions_page::PromotionsPage;
pub use registry_page::RegistryPage;
pub use repository_page::RepositoryPage;
pub use retention_page::RetentionPage;
pub use retention_run_page::RetentionRunPage;
pub use search_page::SearchPage;
pub use settings_page::SettingsPage;
pub use storage_page::StoragePage;
pub use trash_page::TrashPage;
pub use user_rights_page::UserRightsPage;
pub use users_page::UsersPage;

/// The `:id` of a page's path (a run's number), 0 when it is not a number (the page then says
/// the run is not found).
fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        use leptos::prelude::Read;
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    }
}
