//! The overview: what Revdesk is and where each area lives.

use crate::ui::{ButtonLink, Card, PageHeader, Variant};
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

/// The landing page of the console.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Overview" />
        <PageHeader
            title="Revdesk"
            description="A revenue-operations console shared by many organizations: sales, partners, funnels and billing in one place."
        >
            <ButtonLink href="/status" variant=Variant::Secondary>"System status"</ButtonLink>
        </PageHeader>
        <div class="grid gap-4 sm:grid-cols-2">
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
    }
}
