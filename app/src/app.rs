use crate::components::HydrationMark;
use crate::pages::{
    ApiDocsPage, AuditPage, DashboardPage, DeletePage, GcPage, GcRunPage, ImagePage, LoginPage,
    NamespacePage, NotFoundPage, PromotionsPage, RegistryPage, RepositoryPage, RetentionPage,
    RetentionRunPage, SearchPage, SettingsPage, StoragePage, TrashPage, UserRightsPage, UsersPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server only. The pages are plain HTML
/// (links navigate, forms post); only islands (`#[island]`: search box, theme toggle, tag table,
/// promote panel, login form, connection check) hydrate, so the WASM carries only them.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <script nonce=leptos::nonce::use_nonce()>{crate::components::APPLY_STORED_THEME}</script>
                <HashedStylesheet id="leptos" options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Regatta" />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=DashboardPage />
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/r/:registry") view=RegistryPage ssr=SsrMode::Async />
                // These render whole before the first byte (a few ms from SQLite; the image page
                // waits for the registry, bounded by its timeouts), so a missing or invalid name
                // answers 404/400: streamed, the status went out as 200 before the error was known.
                <Route path=path!("/r/:registry/*repository") view=RepositoryPage ssr=SsrMode::Async />
                <Route path=path!("/n/:registry/*namespace") view=NamespacePage ssr=SsrMode::Async />
                <Route path=path!("/i/:registry/*image") view=ImagePage ssr=SsrMode::Async />
                <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                <Route path=path!("/promotions") view=PromotionsPage />
                <Route path=path!("/storage") view=StoragePage ssr=SsrMode::Async />
                <Route path=path!("/delete/:registry/*target") view=DeletePage ssr=SsrMode::Async />
                <Route path=path!("/trash") view=TrashPage ssr=SsrMode::Async />
                <Route path=path!("/retention") view=RetentionPage ssr=SsrMode::Async />
                <Route path=path!("/retention/run/:id") view=RetentionRunPage ssr=SsrMode::Async />
                <Route path=path!("/gc") view=GcPage ssr=SsrMode::Async />
                <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users/:name") view=UserRightsPage ssr=SsrMode::Async />
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/api-docs") view=ApiDocsPage />
                <Route path=path!("/gc/run/:id") view=GcRunPage ssr=SsrMode::Async />
            </Routes>
        </Router>
        // Last in the page: islands hydrate in document order.
        <HydrationMark />
    }
}
