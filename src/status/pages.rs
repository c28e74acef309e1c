//! The status page. Rendered with `SsrMode::Async` so it is complete without JavaScript.

use super::api::load_status;
use super::model::SystemStatus;
use crate::ui::{Badge, Card, PageHeader, Tone};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/status`: the version and the database check.
#[component]
pub fn StatusPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| load_status());
    view! {
        <Title text="System status" />
        <PageHeader title="System status" description="Live checks of this server and its database." />
        <Suspense fallback=|| view! { <p class="text-sm text-muted">"Checking…"</p> }>
            {move || Suspend::new(async move {
                status.await.map(|s| view! { <StatusDetails status=s /> })
            })}
        </Suspense>
    }
}

#[component]
fn StatusDetails(status: SystemStatus) -> impl IntoView {
    let database = match status.database {
        Some(db) => view! {
            <dl class="status-list">
                <dt>"Database"</dt>
                <dd><Badge tone=Tone::Success>"Reachable"</Badge></dd>
                <dt>"Round trip"</dt>
                <dd>{format!("{:.1} ms", db.round_trip_ms)}</dd>
                <dt>"Migrations applied"</dt>
                <dd>{db.migrations_applied}</dd>
                <dt>"Latest migration"</dt>
                <dd>{db.latest_migration.unwrap_or_else(|| "none".into())}</dd>
            </dl>
        }
        .into_any(),
        None => view! {
            <p>
                <Badge tone=Tone::Danger>"Unreachable"</Badge>
                " The database did not answer. Check DATABASE_URL and that PostgreSQL is running."
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="grid gap-4 md:grid-cols-2">
            <Card title="Server">
                <dl class="status-list">
                    <dt>"Version"</dt>
                    <dd>{status.version}</dd>
                    <dt>"State"</dt>
                    <dd><Badge tone=Tone::Success>"Serving"</Badge></dd>
                </dl>
            </Card>
            <Card title="Database">{database}</Card>
        </div>
    }
}
