//! `/o/{org}/audit`: the audit log with filters and keyset pagination.

use super::api::load_audit;
use super::model::{AuditEntry, AuditPage, AuditQuery};
use crate::access::model::{org_href, with_query};
use crate::org::pages::org_slug;
use crate::shell::error_view;
use crate::ui::{Badge, ButtonLink, EmptyState, Field, PageHeader, Table, Tone, Variant};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn current_query() -> AuditQuery {
    let q = use_query_map().get_untracked();
    AuditQuery {
        actor: q.get("actor"),
        action: q.get("action"),
        entity: q.get("entity"),
        from: q.get("from"),
        to: q.get("to"),
        before: q.get("before"),
    }
}

/// The audit log page. Filters are a GET form, so every view has its own address.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = current_query();
    #[cfg(feature = "ssr")]
    if crate::shell::redirect_without_empty_fields(&org_href(&org_slug(), "audit"), || {
        query.to_query(query.before.as_deref())
    }) {
        return ().into_any();
    }
    let data = Resource::new(
        {
            let query = query.clone();
            move || (org_slug(), query.clone())
        },
        |(org, query)| load_audit(org, query),
    );
    let base = org_href(&org_slug(), "audit");
    view! {
        <Title text="Audit log" />
        <PageHeader title="Audit log" description="Every change, sign-in into this organization's pages and refused attempt, newest first." />
        // Two rows of three: six to a row left the date boxes narrower than a date and
        // overlapping. The example goes in the label, so no hint lifts one box out of line.
        <form method="get" action=base.clone() class="card mb-6 grid gap-4 sm:grid-cols-2 sm:items-end lg:grid-cols-3">
            <Field name="actor" label="Actor email contains" value=query.actor.clone().unwrap_or_default() />
            <Field name="action" label="Action, e.g. member.removed" value=query.action.clone().unwrap_or_default() />
            <Field name="entity" label="Entity type" value=query.entity.clone().unwrap_or_default() />
            <Field name="from" label="From" kind="date" value=query.from.clone().unwrap_or_default() />
            <Field name="to" label="To" kind="date" value=query.to.clone().unwrap_or_default() />
            <div class="flex gap-2">
                <button type="submit" class="btn btn-primary">"Filter"</button>
                <a href=base.clone() class="btn btn-ghost">"Clear"</a>
            </div>
        </form>
        <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
            {move || {
                let query = query.clone();
                let base = base.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <Entries page query base /> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Entries(page: AuditPage, query: AuditQuery, base: String) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <EmptyState title="No entries" description="Nothing matches this filter. Widen the dates or clear the filter." /> }.into_any();
    }
    let first = with_query(&base, &query.to_query(None));
    let older = page
        .next
        .as_deref()
        .map(|c| format!("{base}?{}", query.to_query(Some(c))));
    let paged = query.before.is_some();
    view! {
        <Table caption="Audit entries">
            <thead><tr><th scope="col">"When"</th><th scope="col">"Actor"</th><th scope="col">"Action"</th><th scope="col">"Entity"</th><th scope="col">"Detail"</th></tr></thead>
            <tbody>
                {page.entries.into_iter().map(|e| view! { <EntryLine e /> }).collect_view()}
            </tbody>
        </Table>
        <nav class="mt-4 flex gap-2" aria-label="Audit log pages">
            {paged.then(|| view! { <ButtonLink href=first variant=Variant::Secondary>"Newest entries"</ButtonLink> })}
            {older.map(|href| view! { <ButtonLink href variant=Variant::Secondary>"Older entries"</ButtonLink> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EntryLine(e: AuditEntry) -> impl IntoView {
    let tone = if e.action == "permission.denied" {
        Tone::Warning
    } else {
        Tone::Neutral
    };
    let detail = [
        e.before.map(|b| format!("before {b}")),
        e.after.map(|a| format!("after {a}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <tr>
            <td class="whitespace-nowrap"><time datetime=e.at.clone()>{e.at.get(..19).unwrap_or_default().replace('T', " ")}</time></td>
            <td>
                {e.actor.unwrap_or_else(|| "system".into())}
                {e.via_support.then(|| view! { " " <Badge tone=Tone::Info>"support"</Badge> })}
                {e.ip.map(|ip| view! { <div class="text-xs text-muted">{ip}</div> })}
            </td>
            <td><Badge tone>{e.action}</Badge></td>
            <td class="text-xs">{e.entity_type} {e.entity_id.map(|id| format!(" {id}"))}</td>
            <td class="max-w-md truncate font-mono text-xs" title=detail.clone()>{detail.clone()}</td>
        </tr>
    }
}
