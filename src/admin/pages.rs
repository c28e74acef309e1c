//! `/admin`: the platform console.

use super::api::{
    EndSupportSession, SetTenantStatus, StartSupportSession, load_outbox, load_tenants,
};
use super::model::{MAX_SUPPORT_MINUTES, OutboxMessage, TenantRow};
use crate::shell::{AppLayout, error_view, global_nav, loaded};
use crate::ui::{
    Badge, Button, EmptyState, FormAlert, Notice, PageHeader, Table, Tone, Variant, last_error,
};
use leptos::prelude::*;
use leptos_meta::Title;

fn admin_notice(key: &str) -> Option<&'static str> {
    match key {
        "suspended" => {
            Some("Tenant suspended. Its members see a suspension notice until it is reactivated.")
        }
        "active" => Some("Tenant reactivated."),
        "support_ended" => Some("Support session ended."),
        _ => None,
    }
}

/// The tenants list with suspension and support access.
#[component]
pub fn AdminPage() -> impl IntoView {
    let tenants = Resource::new(|| (), |_| load_tenants());
    let support = ServerAction::<StartSupportSession>::new();
    let status = ServerAction::<SetTenantStatus>::new();
    let error = last_error(support).or_else(|| last_error(status));
    view! {
        <Title text="Platform console" />
        <AppLayout nav=global_nav()>
            <PageHeader title="Platform console" description="Every organization on this deployment. Entering one needs a support session: read-only, time-limited and in the tenant's audit log." />
            <Notice messages=admin_notice />
            <FormAlert error />
            <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Err(e) => error_view(e),
                        Ok(list) => view! {
                            <Table caption="Tenants">
                                <thead>
                                    <tr>
                                        <th scope="col">"Organization"</th><th scope="col">"Plan"</th><th scope="col">"Status"</th>
                                        <th scope="col" class="text-right">"Members"</th><th scope="col">"Created"</th>
                                        <th scope="col">"Last activity"</th><th scope="col">"Support access"</th><th scope="col"><span class="sr-only">"Status actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! { <TenantLine t /> }).collect_view()}
                                </tbody>
                            </Table>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AppLayout>
    }
}

#[component]
fn TenantLine(t: TenantRow) -> impl IntoView {
    let support = ServerAction::<StartSupportSession>::new();
    let end = ServerAction::<EndSupportSession>::new();
    let status = ServerAction::<SetTenantStatus>::new();
    let active = t.status == "active";
    let id = t.id.to_string();
    let id_end = id.clone();
    let id_support = id.clone();
    let name = t.name.clone();
    let end_label = format!("End support session in {}", t.name);
    let enter_label = format!("Enter {} for support", t.name);
    let reason_label = format!("Reason for entering {}", t.name);
    let status_label = format!(
        "{} {}",
        if active { "Suspend" } else { "Reactivate" },
        t.name
    );
    let open_href = format!("/o/{}", t.slug);
    let reason_id = format!("reason-{}", t.slug);
    let minutes_id = format!("minutes-{}", t.slug);
    view! {
        <tr>
            <td><span class="font-medium">{name}</span><div class="text-xs text-muted">{t.slug.clone()}</div></td>
            <td>{t.plan.unwrap_or_else(|| "—".into())}</td>
            <td><Badge tone=if active { Tone::Success } else { Tone::Danger }>{t.status.clone()}</Badge></td>
            <td class="text-right tabular-nums">{t.members}</td>
            <td class="whitespace-nowrap">{t.created_on}</td>
            <td>{t.last_activity.map(|a| a.get(..16).unwrap_or_default().replace('T', " ")).unwrap_or_else(|| "—".into())}</td>
            <td>
                {match t.support_until {
                    Some(until) => view! {
                        <a class="link" href=open_href.clone()>"Open"</a>
                        <span class="text-xs text-muted">{format!(" until {}", until.get(11..16).unwrap_or_default())}</span>
                        <ActionForm action=end>
                            <input type="hidden" name="organization_id" value=id_end.clone() />
                            <Button variant=Variant::Ghost label=end_label.clone()>"End"</Button>
                        </ActionForm>
                    }.into_any(),
                    None => view! {
                        <ActionForm action=support attr:class="flex flex-wrap items-end gap-2">
                            <input type="hidden" name="organization_id" value=id_support.clone() />
                            <label for=reason_id.clone() class="sr-only">{reason_label.clone()}</label>
                            <input id=reason_id name="reason" class="input w-40" required minlength="5" maxlength="500" placeholder="Reason" />
                            <label for=minutes_id.clone() class="sr-only">"Minutes"</label>
                            <select id=minutes_id name="minutes" class="input w-24">
                                <option value="15">"15 min"</option>
                                <option value="30" selected>"30 min"</option>
                                <option value="60">"1 hour"</option>
                                <option value=MAX_SUPPORT_MINUTES.to_string()>"4 hours"</option>
                            </select>
                            <Button variant=Variant::Secondary label=enter_label.clone()>"Enter"</Button>
                        </ActionForm>
                    }.into_any(),
                }}
            </td>
            <td class="text-right">
                <ActionForm action=status>
                    <input type="hidden" name="organization_id" value=id />
                    <input type="hidden" name="status" value=if active { "suspended" } else { "active" } />
                    <Button variant=if active { Variant::Danger } else { Variant::Secondary } label=status_label>
                        {if active { "Suspend" } else { "Reactivate" }}
                    </Button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// `/admin/outbox`: outgoing email, for operators (and the only way to read it when no
/// SMTP server is configured).
#[component]
pub fn OutboxPage() -> impl IntoView {
    let messages = Resource::new(|| (), |_| load_outbox());
    view! {
        <Title text="Email outbox" />
        <AppLayout nav=global_nav()>
            <PageHeader title="Email outbox" description="The newest 100 messages. With REVDESK_SMTP_URL set they are delivered and marked sent; without it they wait here." />
            {loaded(messages, |list: Vec<OutboxMessage>| {
                if list.is_empty() {
                    return view! { <EmptyState title="No email yet" description="Invitations and password resets appear here." /> }.into_any();
                }
                view! {
                    <Table caption="Outgoing email">
                        <thead><tr><th scope="col">"Queued"</th><th scope="col">"To"</th><th scope="col">"Message"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|m| view! { <OutboxLine m /> }).collect_view()}
                        </tbody>
                    </Table>
                }.into_any()
            })}
        </AppLayout>
    }
}

#[component]
fn OutboxLine(m: OutboxMessage) -> impl IntoView {
    let tone = match m.status.as_str() {
        "sent" => Tone::Success,
        "failed" => Tone::Danger,
        _ => Tone::Warning,
    };
    let queued = m.created_at.get(..16).unwrap_or_default().replace('T', " ");
    view! {
        <tr>
            <td class="whitespace-nowrap"><time datetime=m.created_at.clone()>{queued}</time></td>
            <td>{m.to}</td>
            <td>
                <details>
                    <summary class="cursor-pointer font-medium">{m.subject}</summary>
                    <pre class="mt-2 whitespace-pre-wrap text-xs">{m.body}</pre>
                </details>
            </td>
            <td>
                <Badge tone>{m.status}</Badge>
                {m.last_error.map(|e| view! { <div class="mt-1 text-xs text-muted">{format!("{} attempts: {e}", m.attempts)}</div> })}
            </td>
        </tr>
    }
}
