//! The document shell and the route table.

use crate::access::pages::{AcceptInvitationPage, MemberPermissionsPage, MembersPage, RolesPage};
use crate::admin::pages::{AdminPage, OutboxPage};
use crate::audit::pages::AuditPage;
use crate::auth::pages::{
    AccountPage, ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage,
};
use crate::design::pages::DesignPage;
use crate::home::pages::HomePage;
use crate::leads::board::BoardPage;
use crate::leads::import::pages::{ImportPage, ImportsPage};
use crate::leads::pages::{LeadDetailPage, LeadsPage, NewLeadPage};
use crate::org::pages::{BillingPage, DashboardPage, OrgShell, PortalPage};
use crate::shell::{NotFoundPage, SiteFrame, Theme};
use crate::status::pages::StatusPage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
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

/// The application: every route, each rendered completely on the server before the
/// first byte (`SsrMode::Async`), so pages work without JavaScript and answer with the
/// right status (302 to sign in, 403, 404).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let ssr = SsrMode::Async;
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Revdesk".to_owned() } else { format!("{page} · Revdesk") }
        } />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("") view=HomePage ssr=ssr.clone() />
                <Route path=path!("sign-in") view=SignInPage ssr=ssr.clone() />
                <Route path=path!("sign-up") view=SignUpPage ssr=ssr.clone() />
                <Route path=path!("forgot-password") view=ForgotPasswordPage ssr=ssr.clone() />
                <Route path=path!("reset-password") view=ResetPasswordPage ssr=ssr.clone() />
                <Route path=path!("invitations/:token") view=AcceptInvitationPage ssr=ssr.clone() />
                <Route path=path!("account") view=AccountPage ssr=ssr.clone() />
                <Route path=path!("admin") view=AdminPage ssr=ssr.clone() />
                <Route path=path!("admin/outbox") view=OutboxPage ssr=ssr.clone() />
                <Route path=path!("status") view=|| view! { <SiteFrame><StatusPage /></SiteFrame> } ssr=ssr.clone() />
                <Route path=path!("design") view=|| view! { <SiteFrame><DesignPage /></SiteFrame> } ssr=ssr.clone() />
                <ParentRoute path=path!("o/:org") view=OrgShell ssr=ssr.clone()>
                    <Route path=path!("") view=DashboardPage ssr=ssr.clone() />
                    <Route path=path!("leads") view=LeadsPage ssr=ssr.clone() />
                    <Route path=path!("leads/new") view=NewLeadPage ssr=ssr.clone() />
                    <Route path=path!("leads/board") view=BoardPage ssr=ssr.clone() />
                    <Route path=path!("leads/import") view=ImportsPage ssr=ssr.clone() />
                    <Route path=path!("leads/import/:id") view=ImportPage ssr=ssr.clone() />
                    <Route path=path!("leads/:id") view=LeadDetailPage ssr=ssr.clone() />
                    <Route path=path!("billing") view=BillingPage ssr=ssr.clone() />
                    <Route path=path!("portal") view=PortalPage ssr=ssr.clone() />
                    <Route path=path!("members") view=MembersPage ssr=ssr.clone() />
                    <Route path=path!("members/:user_id") view=MemberPermissionsPage ssr=ssr.clone() />
                    <Route path=path!("roles") view=RolesPage ssr=ssr.clone() />
                    <Route path=path!("audit") view=AuditPage ssr=ssr.clone() />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
