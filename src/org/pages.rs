//! The tenant frame and the dashboard, billing and portal pages.

use super::api::{load_billing, load_dashboard, load_portal};
use super::model::{Billing, Dashboard, Portal};
use crate::access::api::load_org_context;
use crate::access::model::{OrgContext, Permission};
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
#[component]
pub fn OrgShell() -> impl IntoView {
    let context = Resource::new(org_slug, load_org_context);
    view! {
        <Suspense fallback=|| view! { <p class="p-8 text-sm text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match context.await {
                    Ok(ctx) => view! {
                        <AppLayout nav=org_nav(&ctx) org=ctx.organization.clone() support_until=ctx.support_until.clone()>
                            <Outlet />
                        </AppLayout>
                    }
                    .into_any(),
                    Err(e) => view! { <SiteFrame>{error_view(e)}</SiteFrame> }.into_any(),
                }
            })}
        </Suspense>
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
    let tiles = [
        ("Leads you can see", Dashboard::count(d.visible_leads)),
        ("Open leads", Dashboard::count(d.open_leads)),
        ("Follow-ups due", Dashboard::count(d.follow_ups_due)),
        ("Members", d.members.to_string()),
    ];
    view! {
        <PageHeader title=d.organization.clone() description=format!("You are signed in as {} · {}", d.role.label(), d.lead_scope.label()) />
        <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {tiles.into_iter().map(|(label, value)| view! {
                <div class="card">
                    <p class="text-sm text-muted">{label}</p>
                    <p class="mt-1 text-3xl font-semibold tabular-nums">{value}</p>
                </div>
            }).collect_view()}
        </div>
    }
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
                <p class="text-3xl font-semibold tabular-nums">{b.credit_balance}</p>
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
        ("Referred leads", p.referred_leads.to_string()),
        ("Converted", p.converted_leads.to_string()),
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
        <div class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
            {tiles.into_iter().map(|(label, value)| view! {
                <div class="card">
                    <p class="text-sm text-muted">{label}</p>
                    <p class="mt-1 text-xl font-semibold tabular-nums">{value}</p>
                </div>
            }).collect_view()}
        </div>
    }
}
