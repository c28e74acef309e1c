//! `/`: signed-in people go straight to their organization; visitors see what Revdesk is.

use crate::auth::api::load_home;
use crate::shell::PublicLayout;
use crate::ui::{ButtonLink, Card, Variant};
use leptos::prelude::*;
use leptos_meta::Title;

struct Area {
    title: &'static str,
    text: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        title: "Leads pipeline",
        text: "Filter, search and work leads on a list or a board, with an explainable score for each one.",
    },
    Area {
        title: "Partner programme",
        text: "Partners, deals and an append-only commission ledger with approvals and payouts.",
    },
    Area {
        title: "Funnels and campaigns",
        text: "Conversion per step, drop-off and time to convert over any date range.",
    },
    Area {
        title: "Billing",
        text: "Plans, credits, invoices and payments for every organization on the deployment.",
    },
];

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| load_home());
    view! {
        <Title text="Overview" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(Some(path)) => {
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect(&path);
                        view! { <p><a href=path>"Continue to your organization"</a></p> }.into_any()
                    }
                    _ => view! { <Overview /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview() -> impl IntoView {
    view! {
        <PublicLayout>
            <h1 class="text-2xl font-semibold tracking-tight">"Revdesk"</h1>
            <p class="mt-1 text-sm text-muted">"A revenue-operations console shared by many organizations: sales, partners, funnels and billing in one place."</p>
            <div class="mt-6 flex gap-2">
                <ButtonLink href="/sign-in">"Sign in"</ButtonLink>
                <ButtonLink href="/sign-up" variant=Variant::Secondary>"Create an organization"</ButtonLink>
            </div>
            <div class="mt-8 grid gap-4">
                {AREAS
                    .iter()
                    .map(|area| {
                        view! {
                            <Card title=area.title>
                                <p class="text-sm text-muted">{area.text}</p>
                            </Card>
                        }
                    })
                    .collect_view()}
            </div>
        </PublicLayout>
    }
}
