//! The document shell and the route table.

use crate::design::pages::DesignPage;
use crate::home::pages::HomePage;
use crate::shell::{AppLayout, NotFound, Theme};
use crate::status::pages::StatusPage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Where the stylesheet is served from; fingerprinted in release builds.
#[derive(Clone, Debug)]
pub struct StylesheetHref(pub String);

/// The full HTML document. Rendered on the server only; the browser hydrates `<body>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::render::provide_request_context();
    let theme = use_context::<Theme>().unwrap_or_default();
    let stylesheet = use_context::<StylesheetHref>()
        .map(|href| href.0)
        .unwrap_or_else(|| format!("/{}/{}.css", options.site_pkg_dir, options.output_name));
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=cfg!(feature = "islands") />
                <MetaTags />
            </head>
            <body class="h-full bg-surface text-ink antialiased">
                <App />
            </body>
        </html>
    }
}

/// The application: one layout around every route.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Revdesk".to_owned() } else { format!("{page} · Revdesk") }
        } />
        <Router>
            <AppLayout>
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("status") view=StatusPage ssr=SsrMode::Async />
                    <Route path=path!("design") view=DesignPage />
                </Routes>
            </AppLayout>
        </Router>
    }
}
