mod dashboard_page;
mod image_page;
mod login_page;
mod not_found_page;
mod registry_page;
mod repository_page;

pub use dashboard_page::DashboardPage;
pub use image_page::ImagePage;
pub use login_page::LoginPage;
pub use not_found_page::NotFoundPage;
pub use registry_page::RegistryPage;
pub use repository_page::RepositoryPage;
