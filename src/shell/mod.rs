//! The application frame: sidebar navigation, top bar, theme, and the 404 and error pages.

mod theme;

pub use theme::{SetTheme, THEME_COOKIE, Theme, ThemeSwitcher, set_theme};

use crate::access::model::{Membership, OrgSummary, org_href};
use crate::auth::model::Viewer;
use crate::error::AppError;
use crate::ui::html::Markup;
use crate::ui::{ButtonLink, PageHeader};
use leptos::prelude::*;
use leptos::tachys::html::InertElement;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

/// One entry of the sidebar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavItem {
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: &'static str,
}

impl NavItem {
    /// An entry.
    pub fn new(href: impl Into<String>, label: &'static str) -> Self {
        NavItem {
            href: href.into(),
            label,
        }
    }
}

/// The sidebar of pages outside any organization, for the signed-in viewer.
pub fn global_nav() -> Vec<NavItem> {
    let admin = use_context::<Viewer>().is_some_and(|v| v.is_platform_admin);
    let mut nav = vec![NavItem::new("/account", "Your account")];
    if admin {
        nav.push(NavItem::new("/admin", "Platform console"));
        nav.push(NavItem::new("/admin/outbox", "Email outbox"));
    }
    nav.push(NavItem::new("/status", "System status"));
    nav
}

/// Sidebar, top bar and main area around every signed-in page. `org` is the
/// organization of a tenant page (the switcher shows it as current).
#[component]
pub fn AppLayout(
    nav: Vec<NavItem>,
    #[prop(optional)] org: Option<OrgSummary>,
    #[prop(optional_no_strip)] support_until: Option<String>,
    /// The viewer's organizations when the page already has them (tenant pages); the
    /// switcher loads them otherwise.
    #[prop(optional_no_strip)]
    memberships: Option<Vec<Membership>>,
    children: Children,
) -> impl IntoView {
    let viewer = use_context::<Viewer>();
    let links = nav_links(&nav);
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
                    {InertElement::new(links.clone())}
                </details>
                <div class="hidden md:block">
                    {InertElement::new(links)}
                </div>
            </aside>
            <div class="flex min-w-0 flex-col">
                <header class="topbar">
                    <div class="min-w-0" data-slot="organization-switcher">
                        {match viewer.clone() {
                            Some(_) => view! { <OrgSwitcher current=org.clone() memberships=memberships.clone() /> }.into_any(),
                            None => view! { <span class="text-sm text-muted">"Revenue operations console"</span> }.into_any(),
                        }}
                    </div>
                    <div class="flex items-center gap-3" data-slot="user-menu">
                        <ThemeSwitcher />
                        {viewer.map(|v| view! { <UserMenu viewer=v /> })}
                    </div>
                </header>
                {support_until.map(|until| view! {
                    <p class="support-banner" role="status">
                        "Support session: you are viewing this organization read-only until " {until} ". Every page you open is in its audit log."
                    </p>
                })}
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

/// The frame of the public pages (sign in, sign up, password reset, invitations): the
/// logo, the theme switcher and one centred column.
#[component]
pub fn PublicLayout(children: Children) -> impl IntoView {
    view! {
        <a href="#main" class="skip-link">"Skip to content"</a>
        <div class="min-h-screen">
            <header class="topbar">
                <a href="/" class="flex items-center gap-2">
                    <Logo />
                    <span class="text-base font-semibold tracking-tight">"Revdesk"</span>
                </a>
                <div class="flex items-center gap-3" data-slot="user-menu">
                    <ThemeSwitcher />
                </div>
            </header>
            <main id="main" tabindex="-1" class="mx-auto w-full max-w-md px-4 py-10">
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                    {children()}
                </ErrorBoundary>
            </main>
        </div>
    }
}

/// The organization switcher: the current organization and a menu of the others.
/// A `<details>` menu, so it opens without JavaScript.
#[component]
fn OrgSwitcher(current: Option<OrgSummary>, memberships: Option<Vec<Membership>>) -> impl IntoView {
    let label = current
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| "Choose an organization".to_owned());
    let current_slug = current.map(|o| o.slug);
    let summary_label = format!("Organization: {label}. Switch organization");
    let list = match memberships {
        Some(list) => membership_list(list, current_slug).into_any(),
        None => {
            let memberships = Resource::new(|| (), |_| crate::access::api::load_memberships());
            view! {
                <Suspense fallback=|| view! { <p class="px-3 py-2 text-sm text-muted">"Loading…"</p> }>
                    {move || {
                        let current_slug = current_slug.clone();
                        Suspend::new(async move {
                            membership_list(memberships.await.unwrap_or_default(), current_slug)
                        })
                    }}
                </Suspense>
            }
            .into_any()
        }
    };
    view! {
        <details class="menu">
            <summary class="menu-button" aria-label=summary_label>
                <span class="truncate font-medium">{label}</span>
                <span aria-hidden="true">"▾"</span>
            </summary>
            <div class="menu-panel">
                <p class="menu-heading">"Your organizations"</p>
                {list}
            </div>
        </details>
    }
}

/// The switcher's links, the current organization marked.
fn membership_list(list: Vec<Membership>, current_slug: Option<String>) -> impl IntoView {
    view! {
        <ul>
            {list
                .into_iter()
                .map(|m| {
                    let here = current_slug.as_deref() == Some(m.slug.as_str());
                    let href = if m.role == crate::access::model::MemberRole::Partner {
                        org_href(&m.slug, "portal")
                    } else {
                        org_href(&m.slug, "")
                    };
                    view! {
                        <li>
                            <a href=href class="menu-item" aria-current=here.then_some("true")>
                                <span>{m.name}</span>
                                <span class="text-xs text-muted">{m.role.label()}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The signed-in person's menu: account and sign out (a POST form, never a link).
#[component]
fn UserMenu(viewer: Viewer) -> impl IntoView {
    let sign_out = ServerAction::<crate::auth::api::SignOut>::new();
    view! {
        <details class="menu menu-right">
            <summary class="menu-button" data-menu="account">
                <span class="avatar" aria-hidden="true">{initials(&viewer.name)}</span>
                <span class="sr-only">"Account menu: "</span>
                <span class="hidden sm:inline truncate">{viewer.name.clone()}</span>
            </summary>
            <div class="menu-panel">
                <p class="menu-heading truncate">{viewer.email.clone()}</p>
                <a href="/account" class="menu-item">"Your account"</a>
                {viewer.is_platform_admin.then(|| view! { <a href="/admin" class="menu-item">"Platform console"</a> })}
                <ActionForm action=sign_out>
                    <button type="submit" class="menu-item w-full text-left">"Sign out"</button>
                </ActionForm>
            </div>
        </details>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The sidebar's links, written once as one string: the frame shows them twice (the
/// mobile menu and the sidebar), on every page. The link to this very page is marked
/// `aria-current="page"`; on a page below one of the links (a lead, below Leads) that
/// link, the deepest one, is marked `aria-current="true"`, so the sidebar still says
/// where one is.
fn nav_links(nav: &[NavItem]) -> String {
    // Plain links, not the router's `<A>` (which builds memos per link).
    let path = use_location().pathname.get_untracked();
    let path = path.trim_end_matches('/');
    let below = |href: &str| {
        path.strip_prefix(href)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let section = nav
        .iter()
        .map(|item| item.href.trim_end_matches('/'))
        .filter(|href| below(href))
        .max_by_key(|href| href.len());
    let mut m = Markup::with_capacity(64 + nav.len() * 80);
    m.raw(r#"<nav aria-label="Main"><ul class="nav-list">"#);
    for item in nav {
        let href = item.href.trim_end_matches('/');
        let current = match section {
            Some(s) if s == href && s == path => Some("page"),
            Some(s) if s == href => Some("true"),
            _ => None,
        };
        m.raw("<li><a")
            .attr("href", &item.href)
            .raw(r#" class="nav-link""#)
            .attr_some("aria-current", current)
            .raw(">")
            .text(item.label)
            .raw("</a></li>");
    }
    m.raw("</ul></nav>");
    m.into_string()
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

/// Signed-in pages outside any organization get the app frame; anonymous ones the
/// public frame.
#[component]
pub fn SiteFrame(children: Children) -> impl IntoView {
    if use_context::<Viewer>().is_some() {
        view! { <AppLayout nav=global_nav()>{children()}</AppLayout> }.into_any()
    } else {
        view! { <PublicLayout>{children()}</PublicLayout> }.into_any()
    }
}

/// The route fallback: 404 in the frame that fits the viewer.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <SiteFrame><NotFound /></SiteFrame> }
}

/// What a page shows instead of its content when loading it failed: the sign-in page
/// (by redirect) for anonymous visitors, 404, 403, or the error's own message.
pub fn error_view(err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => {
            #[cfg(feature = "ssr")]
            {
                let next = crate::server::session::with_request(|p| p.uri.to_string())
                    .unwrap_or_else(|| "/".into());
                leptos_axum::redirect(&format!("/sign-in?next={}", urlencode(&next)));
            }
            view! { <p>"Please " <a href="/sign-in">"sign in"</a> " to continue."</p> }.into_any()
        }
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::Forbidden => view! { <Forbidden /> }.into_any(),
        other => {
            #[cfg(feature = "ssr")]
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(
                    http::StatusCode::from_u16(other.status())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
            view! {
                <Title text="Something went wrong" />
                <section class="empty-state" role="alert">
                    <h1 class="text-base font-semibold">"This page could not be shown"</h1>
                    <p class="mt-2 text-sm">{other.to_string()}</p>
                </section>
            }
            .into_any()
        }
    }
}

/// A page's data, once loaded: `render` shows the value; an error shows the matching
/// page (sign-in redirect, 404, 403, message). Rendered in full before the response
/// goes out, because every route is `SsrMode::Async`.
pub fn loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    let loaded = resource.await;
                    // On the server the boundary looks ahead at its children before it
                    // renders them, and a look-ahead runs this future to the end when the
                    // data are in: it drew the whole page once more for nothing. Pausing
                    // once here leaves the look-ahead without a view, so the page is drawn
                    // once, when it is rendered. (Nothing drawn here reads a resource
                    // outside a `<Suspense>` of its own, which the look-ahead would be
                    // there to find.)
                    #[cfg(feature = "ssr")]
                    tokio::task::yield_now().await;
                    match loaded {
                        Ok(value) => render(value).into_any(),
                        Err(e) => error_view(e),
                    }
                })
            }}
        </Suspense>
    }
}

/// A query string (without `?`) of the pairs whose value is set and not empty, written
/// into one string (the list page builds a dozen of these for its links).
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        push_urlencoded(&mut out, value);
    }
    out
}

/// Sends the browser to the same view without empty fields when the address carries
/// some, as a submitted GET filter form's does (`?q=&status=new&…` becomes
/// `?status=new`), so what the address bar shows is short enough to read, bookmark and
/// share. `view_query` is the page's own query string for its parsed view: only the
/// view's fields are kept, so nothing else the address carries reaches the `Location`.
/// Answers whether it redirected (the page then draws and loads nothing). An address
/// that still could not be a header value (`redirect` would panic on it) is not sent.
#[cfg(feature = "ssr")]
pub fn redirect_without_empty_fields(base: &str, view_query: impl FnOnce() -> String) -> bool {
    let params = leptos_router::hooks::use_query_map().get_untracked();
    if !params.latest_values().any(|(_, value)| value.is_empty()) {
        return false;
    }
    let href = crate::access::model::with_query(base, &view_query());
    if http::HeaderValue::from_str(&href).is_err() {
        return false;
    }
    leptos_axum::redirect(&href);
    true
}

/// The value of route parameter `org` and of one more parameter, for resources keyed
/// by both.
pub fn org_and_param(
    name: &'static str,
) -> impl Fn() -> (String, String) + Clone + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let p = params.get();
        (
            p.get("org").unwrap_or_default(),
            p.get(name).unwrap_or_default(),
        )
    }
}

/// Percent-encodes a query-string value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_urlencoded(&mut out, text);
    out
}

/// Appends `text` percent-encoded: unreserved characters and `/` as they are, every
/// other byte as `%XX`, in place (a string per character cost the list page 122
/// allocations).
fn push_urlencoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// The page for something the viewer's role may not use; answers HTTP 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="No access" />
        <PageHeader
            title="You do not have access to this page"
            description="Your role in this organization does not include it. If you need it, ask an owner or admin of the organization to change your role."
        />
        <ButtonLink href="/">"Go to your start page"</ButtonLink>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_keeps_unreserved_characters_and_encodes_every_other_byte() {
        assert_eq!(urlencode("a-Z_0.9~/x"), "a-Z_0.9~/x");
        assert_eq!(urlencode("a b&c=d?e#f+g%"), "a%20b%26c%3Dd%3Fe%23f%2Bg%25");
        // UTF-8, byte by byte, upper-case hex.
        assert_eq!(urlencode("é€"), "%C3%A9%E2%82%AC");
        assert_eq!(urlencode(""), "");
    }

    #[test]
    fn query_string_skips_unset_and_empty_values() {
        assert_eq!(
            query_string(&[
                ("q", Some("acme inc")),
                ("status", None),
                ("tag", Some("")),
                ("sort", Some("name")),
            ]),
            "q=acme%20inc&sort=name"
        );
        assert_eq!(query_string(&[("q", None), ("tag", Some(""))]), "");
    }
}
