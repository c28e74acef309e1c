//! The tenant frame and the dashboard, billing and portal pages.

use super::api::{load_billing, load_dashboard, load_portal};
use super::model::{Billing, Dashboard, Portal};
use crate::access::api::load_org_context;
use crate::access::model::{OrgContext, Permission};
use crate::error::AppError;
use crate::leads::model::{MatchCount, group};
use crate::shell::{AppLayout, NavItem, SiteFrame, error_view, loaded};
use crate::ui::{Badge, Card, EmptyState, Notice, PageHeader, Table, Tone};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;

/// The organization slug of the current tenant page.
pub fn org_slug() -> String {
    use_params_map()
        .get_untracked()
        .get("org")
        .unwrap_or_default()
}

/// The sidebar of a tenant page: only what the viewer's role may use.
pub fn org_nav(ctx: &OrgContext) -> Vec<NavItem> {
    if ctx.is_partner() {
        return vec![NavItem::new(ctx.href("portal"), "Partner portal")];
    }
    let mut nav = vec![NavItem::new(ctx.href(""), "Dashboard")];
    let pages = [
        (Permission::LeadsRead, "leads", "Leads"),
        (Permission::BillingRead, "billing", "Billing"),
        (Permission::MembersManage, "members", "Members"),
        (Permission::RolesManage, "roles", "Roles"),
        (Permission::AuditRead, "audit", "Audit log"),
    ];
    for (permission, path, label) in pages {
        if ctx.can(permission) {
            nav.push(NavItem::new(ctx.href(path), label));
        }
    }
    nav
}

/// `/o/{org}/…`: loads the viewer's place in the organization (404 for outsiders),
/// draws the frame with the navigation their role allows, and renders the page inside.
///
/// With islands the frame is rendered on the server only, and the request usually knows
/// the viewer's place already (the session middleware reads the membership beside the
/// session): then the frame is drawn at once. Inside a `<Suspense>` it would be drawn
/// again each time the boundary re-checks its children, and each drawing would create
/// the page again, with a fresh load of the page's data (three loads per request, two of
/// them dropped after their `BEGIN`, before this).
#[component]
pub fn OrgShell() -> impl IntoView {
    #[cfg(all(feature = "ssr", feature = "islands"))]
    if let Some(known) = crate::access::api::org_context_now(&org_slug()) {
        return org_frame(known);
    }
    let context = Resource::new(org_slug, load_org_context);
    view! {
        <Suspense fallback=|| view! { <p class="p-8 text-sm text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move { org_frame(context.await) })}
        </Suspense>
    }
    .into_any()
}

/// The frame of a tenant page around its outlet, or the error in the site frame.
fn org_frame(context: Result<OrgContext, AppError>) -> AnyView {
    match context {
        Ok(ctx) => view! {
            <AppLayout nav=org_nav(&ctx) org=ctx.organization.clone() support_until=ctx.support_until.clone() memberships=ctx.memberships.clone()>
                <Outlet />
            </AppLayout>
        }
        .into_any(),
        Err(e) => view! { <SiteFrame>{error_view(e)}</SiteFrame> }.into_any(),
    }
}

fn dashboard_notice(key: &str) -> Option<&'static str> {
    match key {
        "welcome" => Some("Your organization is ready. Invite your team from Members."),
        "joined" => Some("You joined the organization."),
        _ => None,
    }
}

/// `/o/{org}`: the dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(org_slug, load_dashboard);
    view! {
        <Title text="Dashboard" />
        <Notice messages=dashboard_notice />
        {loaded(data, |d| view! { <DashboardView d /> })}
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let org = org_slug();
    let leads = |query: &str| {
        crate::access::model::with_query(&crate::access::model::org_href(&org, "leads"), query)
    };
    let (today, month_ago, quarter_ago) = d.dates.clone();
    let conversion = d
        .conversion_bp
        .map(|bp| format!("{}.{}%", bp / 100, (bp % 100) / 10))
        .unwrap_or_else(|| "—".into());
    let tiles = [
        (
            "New leads, 30 days",
            Dashboard::count(d.new_30d),
            leads(&format!("created_from={month_ago}")),
        ),
        ("Conversion, 90 days", conversion, leads("status=converted")),
        ("Open leads", Dashboard::count(d.open_leads), leads("")),
        (
            "Follow-ups due today",
            Dashboard::count(d.follow_ups_due),
            leads(&format!("follow_up_to={today}")),
        ),
    ];
    let max_value = d
        .pipeline
        .iter()
        .map(|(_, _, v)| v.minor)
        .max()
        .unwrap_or(0);
    let pipeline: Vec<Bar> = d
        .pipeline
        .iter()
        .map(|(status, n, value)| Bar {
            label: status.label().to_owned(),
            value: value.minor,
            text: value.display(),
            detail: Some(MatchCount::Exact(*n).label()),
            href: leads(&format!("status={}", status.key())),
        })
        .collect();
    let sources: Vec<Bar> = d
        .top_sources
        .iter()
        .map(|(source, n)| Bar {
            label: source.label().to_owned(),
            value: *n,
            text: MatchCount::Exact(*n).label(),
            detail: None,
            href: leads(&format!(
                "source={}&created_from={}",
                source.key(),
                quarter_ago
            )),
        })
        .collect();
    let insights = d.insights.clone();
    let org2 = org.clone();
    view! {
        <PageHeader title=d.organization.clone() description=format!("You are signed in as {} · {} · {} leads in view", d.role.label(), d.lead_scope.label(), Dashboard::count(d.visible_leads)) />
        <div class="grid grid-cols-2 gap-4 lg:grid-cols-4">
            {tiles.into_iter().map(|(label, value, href)| view! {
                <a href=href class="card block hover:border-accent">
                    <p class="text-sm text-muted">{label}</p>
                    <p class="mt-1 text-3xl font-semibold tabular-nums">{value}</p>
                </a>
            }).collect_view()}
        </div>
        <div class="mt-6 grid gap-6 lg:grid-cols-2">
            <Card title="Open pipeline by status">
                <BarChart bars=pipeline max=max_value caption="Open pipeline: estimated value by status" />
            </Card>
            <Card title="Top sources, 90 days">
                <BarChart bars=sources max=0 caption="Leads by source in the last 90 days" />
            </Card>
        </div>
        <div class="mt-6">
            <Card title="Insights">
                {if insights.is_empty() {
                    view! { <p class="text-sm text-muted">"Nothing needs attention right now."</p> }.into_any()
                } else {
                    view! {
                        <ul class="grid gap-2">
                            {insights.into_iter().map(|(id, name, title)| {
                                let href = crate::access::model::org_href(&org2, &format!("leads/{id}"));
                                view! { <li class="text-sm"><a class="link" href=href>{name}</a> " · " {title}</li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </Card>
        </div>
    }
}

/// One bar of a [`BarChart`].
#[derive(Clone, Debug)]
struct Bar {
    label: String,
    value: i64,
    text: String,
    /// A second, smaller figure under `text` (a status's lead count under its value).
    detail: Option<String>,
    href: String,
}

/// Horizontal bars drawn as SVG (the CSP allows no inline styles), each label a link to
/// the leads behind it, and the numbers as text for everyone.
#[component]
fn BarChart(bars: Vec<Bar>, max: i64, #[prop(into)] caption: String) -> impl IntoView {
    if bars.is_empty() {
        return view! { <p class="text-sm text-muted">"No leads yet."</p> }.into_any();
    }
    let max = if max > 0 {
        max
    } else {
        bars.iter().map(|b| b.value).max().unwrap_or(1)
    }
    .max(1);
    view! {
        <table class="w-full text-sm">
            <caption class="sr-only">{caption}</caption>
            <tbody>
                {bars.into_iter().map(|b| {
                    let width = (b.value.max(0) as f64 / max as f64 * 100.0).max(1.0);
                    view! {
                        <tr>
                            <th scope="row" class="w-24 py-1 pr-3 text-left font-normal sm:w-32"><a class="link" href=b.href>{b.label}</a></th>
                            <td class="py-1">
                                <svg viewBox="0 0 100 6" preserveAspectRatio="none" class="h-3 w-full text-accent" aria-hidden="true">
                                    <rect x="0" y="0" width=format!("{width:.1}") height="6" rx="1" fill="currentColor" />
                                </svg>
                            </td>
                            // One figure per line: a value and its count side by side broke
                            // wherever the column ended ("USD 962,300.00 · 47 / leads").
                            <td class="whitespace-nowrap py-1 pl-3 text-right tabular-nums sm:w-40">
                                {b.text}
                                {b.detail.map(|d| view! { <span class="block text-xs text-muted">{d}</span> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/o/{org}/billing`: plan, credits and invoices.
#[component]
pub fn BillingPage() -> impl IntoView {
    let data = Resource::new(org_slug, load_billing);
    view! {
        <Title text="Billing" />
        <PageHeader title="Billing" description="Your plan, credit balance and invoices." />
        {loaded(data, |b| view! { <BillingView b /> })}
    }
}

#[component]
fn BillingView(b: Billing) -> impl IntoView {
    let status_tone = match b.status.as_deref() {
        Some("active") | Some("trialing") => Tone::Success,
        Some("past_due") => Tone::Warning,
        _ => Tone::Neutral,
    };
    view! {
        <div class="grid gap-4 md:grid-cols-2">
            <Card title="Plan">
                {match b.plan {
                    Some(plan) => view! {
                        <p class="text-xl font-semibold">{plan}</p>
                        <p class="mt-1 text-sm text-muted">
                            {b.price.map(|p| p.display())} " · "
                            <Badge tone=status_tone>{b.status.unwrap_or_default()}</Badge>
                        </p>
                        <p class="mt-1 text-sm text-muted">"Current period ends " {b.renews_on.unwrap_or_default()}</p>
                    }.into_any(),
                    None => view! { <p class="text-sm text-muted">"No subscription yet."</p> }.into_any(),
                }}
            </Card>
            <Card title="Credits">
                <p class="text-3xl font-semibold tabular-nums">{group(b.credit_balance)}</p>
                <p class="mt-1 text-sm text-muted">"credits available"</p>
            </Card>
        </div>
        <div class="mt-6">
            {if b.invoices.is_empty() {
                view! { <EmptyState title="No invoices yet" description="Invoices appear here when a billing period closes." /> }.into_any()
            } else {
                view! {
                    <Table caption="Invoices" show_caption=true>
                        <thead><tr><th scope="col">"Number"</th><th scope="col">"Issued"</th><th scope="col">"Status"</th><th scope="col" class="text-right">"Total"</th></tr></thead>
                        <tbody>
                            {b.invoices.into_iter().map(|i| view! {
                                <tr>
                                    <td>{i.number}</td>
                                    <td>{i.issued_on.unwrap_or_else(|| "—".into())}</td>
                                    <td><Badge tone=if i.status == "paid" { Tone::Success } else { Tone::Neutral }>{i.status}</Badge></td>
                                    <td class="text-right tabular-nums">{i.total.display()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </Table>
                }.into_any()
            }}
        </div>
    }
}

/// `/o/{org}/portal`: the partner's own figures.
#[component]
pub fn PortalPage() -> impl IntoView {
    let data = Resource::new(org_slug, load_portal);
    view! {
        <Title text="Partner portal" />
        {loaded(data, |p| view! { <PortalView p /> })}
    }
}

#[component]
fn PortalView(p: Portal) -> impl IntoView {
    let tiles = [
        ("Referred leads", group(p.referred_leads)),
        ("Converted", group(p.converted_leads)),
        ("Commission pending", p.pending.display()),
        ("Approved, unpaid", p.approved.display()),
        ("Paid out", p.paid.display()),
    ];
    view! {
        <PageHeader title=format!("Welcome, {}", p.partner) description="Your referrals and commissions with this organization." />
        <Card title="Your referral code">
            <p class="font-mono text-lg">{p.referral_code}</p>
            <p class="mt-1 text-sm text-muted">"Share it with people you refer; their leads are credited to you."</p>
        </Card>
        // Three to a row: at five, an amount broke in two ("USD / 4,215.00").
        <div class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {tiles.into_iter().map(|(label, value)| view! {
                <div class="card">
                    <p class="text-sm text-muted">{label}</p>
                    <p class="mt-1 whitespace-nowrap text-xl font-semibold tabular-nums">{value}</p>
                </div>
            }).collect_view()}
        </div>
    }
}
