//! The application frame: sidebar navigation, top bar, theme, and the 404 and error pages.

mod theme;

pub use theme::{SetTheme, THEME_COOKIE, Theme, ThemeSwitcher, set_theme};

use crate::ui::{ButtonLink, PageHeader};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// One entry of the sidebar.
struct NavItem {
    href: &'static str,
    label: &'static str,
}

const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: "Overview",
    },
    NavItem {
        href: "/status",
        label: "System status",
    },
    NavItem {
        href: "/design",
        label: "Design system",
    },
];

/// Sidebar, top bar and main area around every page.
#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    view! {
        <a href="#main" class="skip-link">"Skip to content"</a>
        <div class="min-h-screen md:grid md:grid-cols-[15rem_1fr]">
            <aside class="sidebar" aria-label="Sidebar">
                <div class="flex h-14 items-center gap-2 px-4">
                    <Logo />
                    <span class="text-base font-semibold tracking-tight">"Revdesk"</span>
                </div>
                <details class="md:hidden px-4 pb-3 group">
                    <summary class="btn btn-secondary w-full cursor-pointer list-none">"Menu"</summary>
                    <NavLinks />
                </details>
                <div class="hidden md:block">
                    <NavLinks />
                </div>
            </aside>
            <div class="flex min-w-0 flex-col">
                <header class="topbar">
                    <div class="text-sm text-muted" data-slot="organization-switcher">
                        "Revenue operations console"
                    </div>
                    <div class="flex items-center gap-3" data-slot="user-menu">
                        <ThemeSwitcher />
                    </div>
                </header>
                <main id="main" tabindex="-1" class="mx-auto w-full max-w-6xl flex-1 px-4 py-6 md:px-8">
                    <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                        {children()}
                    </ErrorBoundary>
                </main>
                <footer class="px-4 py-4 text-xs text-muted md:px-8">
                    "Revdesk " {env!("CARGO_PKG_VERSION")}
                </footer>
            </div>
        </div>
    }
}

#[component]
fn NavLinks() -> impl IntoView {
    view! {
        <nav aria-label="Main">
            <ul class="nav-list">
                {NAV
                    .iter()
                    .map(|item| {
                        view! {
                            <li>
                                <A href=item.href exact=true attr:class="nav-link">
                                    {item.label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" class="h-7 w-7 text-accent" aria-hidden="true" focusable="false">
            <rect x="2" y="2" width="20" height="20" rx="5" fill="currentColor" />
            <path d="M7 16V8h5a3 3 0 0 1 0 6H9m3 0 3 2" fill="none" stroke="white" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

/// The page for an address that matches no route; answers HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <PageHeader
            title="Page not found"
            description="The address may be mistyped, or the page was moved. Check the address or go back to the overview."
        />
        <ButtonLink href="/">"Go to the overview"</ButtonLink>
    }
}

/// Shown in place of a page whose data could not be loaded.
#[component]
fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| view! { <li>{e.to_string()}</li> })
            .collect_view()
    };
    view! {
        <Title text="Something went wrong" />
        <section class="empty-state" role="alert">
            <h1 class="text-base font-semibold">"This page could not be shown"</h1>
            <ul class="mt-2 text-sm text-muted">{messages}</ul>
            <p class="mt-4 text-sm">"Reload the page to try again. If it keeps failing, the request id in the server log tells an operator what happened."</p>
        </section>
    }
}
