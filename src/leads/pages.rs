//! The leads list (`/o/{org}/leads`), a new lead, and the lead detail.

use super::api::{
    AddLeadActivity, AssignLead, BulkLeads, ChangeLeadStatus, CreateLead, DeleteLeadView,
    SaveLeadView, UpdateLead, load_lead, load_leads, load_new_lead,
};
use super::components::{BulkBar, BulkNotice, query_inputs};
use super::model::{
    ActivityKind, Choices, FunnelProgress, LeadDetail, LeadForm, LeadPage, LeadPriority, LeadQuery,
    LeadSource, LeadStatus, SortKey,
};
use super::rows::rows_html;
use super::timeline::timeline_html;
use crate::access::model::{org_href, with_query};
use crate::error::AppError;
use crate::org::model::Money;
use crate::org::pages::org_slug;
use crate::shell::loaded;
use crate::ui::html::Markup;
use crate::ui::{
    Badge, Button, ButtonLink, Card, EmptyState, Field, FormAlert, Notice, PageHeader, Select,
    Table, Tone, Variant, field_error, last_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::sync::Arc;
use uuid::Uuid;

/// The badge colour of a status.
pub fn status_tone(status: LeadStatus) -> Tone {
    match status {
        LeadStatus::Converted => Tone::Success,
        LeadStatus::Lost | LeadStatus::Unqualified => Tone::Danger,
        LeadStatus::Negotiation | LeadStatus::Proposal => Tone::Warning,
        LeadStatus::New => Tone::Info,
        _ => Tone::Neutral,
    }
}

fn options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    any: &str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_owned()))
        .chain(
            all.iter()
                .map(|v| (key(*v).to_owned(), label(*v).to_owned())),
        )
        .collect()
}

/// A filter's options from `(id, name)` pairs, after an "any" entry; `None` when there
/// is nothing to choose from (the organization has no teams, say), so the field is left
/// out.
fn id_options(all: &[(Uuid, String)], any: &str) -> Option<Vec<(String, String)>> {
    (!all.is_empty()).then(|| {
        std::iter::once((String::new(), any.to_owned()))
            .chain(all.iter().map(|(id, name)| (id.to_string(), name.clone())))
            .collect()
    })
}

/// The filter of a partner or a campaign. While the organization has no more than the
/// list shows, a select (nothing at all when there are none). Past that, or when the
/// address holds a name, a text field for part of the name; or, when the address picks one by id (a link from its own page, a
/// saved view), a select of just that one and "any", so the filter never turns an exact
/// pick into a name search behind the user's back. `labels`: the select's label, its
/// "any" choice, and the text field's label (which says what it matches; a hint under
/// it would lift the field out of line with its neighbours).
fn pick_filter(
    name: &'static str,
    [label, any, text_label]: [&'static str; 3],
    choices: &Choices,
    value: &Option<String>,
) -> Option<AnyView> {
    let value = value.clone().unwrap_or_default();
    let picked = choices
        .picked
        .as_ref()
        .filter(|(id, _)| id.to_string() == value);
    // A name in the address (a shared link) shows as typed, however few there are.
    let named = !value.is_empty() && Uuid::parse_str(&value).is_err();
    if !choices.more && !named {
        return id_options(&choices.options(), any)
            .map(|options| view! { <Select name label options selected=value /> }.into_any());
    }
    Some(match picked {
        Some(one) => {
            let options = id_options(std::slice::from_ref(one), any).unwrap_or_default();
            view! { <Select name label options selected=value /> }.into_any()
        }
        None => view! { <Field name label=text_label value /> }.into_any(),
    })
}

fn current_query() -> LeadQuery {
    let q = use_query_map().get_untracked();
    LeadQuery::from_pairs(|k| q.get(k))
}

/// `/o/{org}/leads`: filters and search in a GET form, so every view has an address.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let query = current_query();
    #[cfg(feature = "ssr")]
    if crate::shell::redirect_without_empty_fields(&org_href(&org_slug(), "leads"), || {
        query.to_query()
    }) {
        return ().into_any();
    }
    let data = Resource::new(
        {
            let query = query.clone();
            move || (org_slug(), query.clone())
        },
        // Shared, not copied: the view reads the loaded page where the resource keeps it
        // (awaiting a resource clones its value, here 50 rows of strings).
        |(org, query)| async move { load_leads(org, query).await.map(Arc::new) },
    );
    let org = org_slug();
    let first_page = query.first_page().to_query();
    let export = with_query(&org_href(&org, "leads/export.csv"), &first_page);
    let board = with_query(&org_href(&org, "leads/board"), &first_page);
    view! {
        <Title text="Leads" />
        {loaded(data, move |page: Arc<LeadPage>| {
            let can = page.can;
            let (board, export) = (board.clone(), export.clone());
            let (import, new) = (org_href(&org, "leads/import"), org_href(&org, "leads/new"));
            view! {
                <PageHeader title="Leads" description="Search, filter and sort; the address keeps the view, so bookmark or share it.">
                    <ButtonLink href=board variant=Variant::Secondary>"Board view"</ButtonLink>
                    {can.import.then(|| view! { <ButtonLink href=import variant=Variant::Secondary>"Import CSV"</ButtonLink> })}
                    {can.export.then(|| view! { <ButtonLink href=export variant=Variant::Secondary>"Export CSV"</ButtonLink> })}
                    {can.write.then(|| view! { <ButtonLink href=new>"New lead"</ButtonLink> })}
                </PageHeader>
                <LeadsView page query=query.clone() />
            }
        })}
    }
    .into_any()
}

#[component]
fn LeadsView(page: Arc<LeadPage>, query: LeadQuery) -> impl IntoView {
    let org = org_slug();
    let base = org_href(&org, "leads");
    let assignee_options: Vec<(String, String)> = [
        (String::new(), "Anyone".to_owned()),
        ("me".to_owned(), "Me".to_owned()),
        ("none".to_owned(), "Nobody".to_owned()),
    ]
    .into_iter()
    .chain(
        page.assignees
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    )
    .collect();
    let link = {
        let base = base.clone();
        move |q: LeadQuery| with_query(&base, &q.to_query())
    };
    let (sort, dir) = query.sort_order();
    let header = {
        let query = query.clone();
        let link = link.clone();
        move |key: SortKey| {
            let href = link(query.sorted_by(key));
            let aria = (sort == key).then_some(if dir == "asc" {
                "ascending"
            } else {
                "descending"
            });
            let arrow = if sort == key {
                if dir == "asc" { " ↑" } else { " ↓" }
            } else {
                ""
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <a href=href class="hover:underline">{key.label()}{arrow}</a>
                </th>
            }
        }
    };
    let prev = page.prev.clone().map(|c| {
        link(LeadQuery {
            after: None,
            before: Some(c),
            ..query.clone()
        })
    });
    let next = page.next.clone().map(|c| {
        link(LeadQuery {
            after: Some(c),
            before: None,
            ..query.clone()
        })
    });
    let bulk = ServerAction::<BulkLeads>::new();
    // Rows can be ticked only by someone who may act on them.
    let selectable = page.can.write || page.can.assign || page.can.export;
    let bulk_bar = selectable.then(|| {
        let assignees = std::iter::once(("none".to_owned(), "Nobody".to_owned()))
            .chain(
                page.assignees
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone())),
            )
            .collect();
        view! { <BulkBar can=page.can count=page.count assignees error=last_error(bulk) /> }
    });
    let first = (query.after.is_some() || query.before.is_some()).then(|| link(query.first_page()));
    let clear = base.clone();
    let filtered = query.is_filtered();
    let more_set = Some(query.folded_filters_set()).filter(|n| *n > 0);
    let more_label = match more_set {
        Some(n) => format!("More filters ({n} set)"),
        None => "More filters".to_owned(),
    };
    let views = page.views.clone();
    let save_query = query.first_page();
    view! {
        <BulkNotice />
        <SavedViews views base=base.clone() query=save_query />
        // On a wide screen (a 1,280 pixel laptop) the searches get the room; a label of one
        // line each (the search says what it covers in its label, not in a hint under the
        // box) keeps the boxes and the button on one line.
        <form method="get" action=base.clone() class="card mb-4 grid gap-4 md:grid-cols-3 md:items-end xl:grid-cols-[minmax(0,2fr)_minmax(0,1.6fr)_minmax(0,1fr)_minmax(0,1fr)_auto]" role="search" aria-label="Filter leads">
            <Field name="q" label="Search name, email, company, title" kind="search" value=query.q.clone().unwrap_or_default() />
            <Field name="contains" label="Email or company contains" value=query.contains.clone().unwrap_or_default() />
            <Select name="status" label="Status" options=options(LeadStatus::ALL, LeadStatus::key, LeadStatus::label, "Any status") selected=query.status.clone().unwrap_or_default() />
            <Select name="assignee" label="Assigned to" options=assignee_options selected=query.assignee.clone().unwrap_or_default() />
            <div class="flex gap-2">
                <button type="submit" class="btn btn-primary">"Apply"</button>
                {filtered.then(|| view! { <a href=clear class="btn btn-ghost">"Clear"</a> })}
            </div>
            // The rest of the filters fold away, open whenever one of them is set, so the
            // list starts higher on the page (ten fields fewer above it on a phone).
            <details class="more-filters col-span-full" open=more_set.is_some()>
                <summary class="link cursor-pointer text-sm">{more_label}</summary>
                <div class="mt-4 grid gap-4 md:grid-cols-3 lg:grid-cols-6 lg:items-end">
                    <Select name="priority" label="Priority" options=options(LeadPriority::ALL, LeadPriority::key, LeadPriority::label, "Any priority") selected=query.priority.clone().unwrap_or_default() />
                    <Select name="source" label="Source" options=options(LeadSource::ALL, LeadSource::key, LeadSource::label, "Any source") selected=query.source.clone().unwrap_or_default() />
                    {id_options(&page.choices.teams, "Any team").map(|options| view! {
                        <Select name="team" label="Team" options selected=query.team.clone().unwrap_or_default() />
                    })}
                    {pick_filter("partner", ["Partner", "Any partner", "Partner name or code"], &page.choices.partners, &query.partner)}
                    {pick_filter("campaign", ["Campaign", "Any campaign", "Campaign name"], &page.choices.campaigns, &query.campaign)}
                    <Field name="tag" label="Tag" value=query.tag.clone().unwrap_or_default() />
                    <Field name="created_from" label="Created from" kind="date" value=query.created_from.clone().unwrap_or_default() />
                    <Field name="created_to" label="Created to" kind="date" value=query.created_to.clone().unwrap_or_default() />
                    <Field name="follow_up_from" label="Follow-up from" kind="date" value=query.follow_up_from.clone().unwrap_or_default() />
                    <Field name="follow_up_to" label="Follow-up to" kind="date" value=query.follow_up_to.clone().unwrap_or_default() />
                </div>
            </details>
            <input type="hidden" name="sort" value=query.sort.clone().unwrap_or_default() />
            <input type="hidden" name="dir" value=query.dir.clone().unwrap_or_default() />
        </form>
        <p class="mb-2 text-sm text-muted" role="status">{page.count.label()}</p>
        {if page.rows.is_empty() {
            view! {
                <EmptyState title="No leads match" description="Try fewer filters or another search.">
                    {page.can.write.then(|| view! { <ButtonLink href=org_href(&org, "leads/new")>"Add a lead"</ButtonLink> })}
                </EmptyState>
            }.into_any()
        } else {
            view! {
                <ActionForm action=bulk attr:aria-label="Leads and bulk actions">
                <input type="hidden" name="org" value=org.clone() />
                {query_inputs("bulk[query]", &query)}
                {bulk_bar}
                <Table caption="Leads">
                    <thead>
                        <tr>
                            {selectable.then(|| view! { <th scope="col"><span class="sr-only">"Select"</span></th> })}
                            {header(SortKey::Name)}
                            {header(SortKey::Company)}
                            {header(SortKey::Status)}
                            {header(SortKey::Score)}
                            {header(SortKey::Value)}
                            <th scope="col">"Assigned to"</th>
                            {header(SortKey::FollowUp)}
                            {header(SortKey::Created)}
                        </tr>
                    </thead>
                    <tbody inner_html=rows_html(&page.rows, &base, selectable)></tbody>
                </Table>
                </ActionForm>
            }.into_any()
        }}
        <nav class="mt-4 flex gap-2" aria-label="Pages of leads">
            {first.map(|href| view! { <ButtonLink href variant=Variant::Secondary>"First"</ButtonLink> })}
            {prev.map(|href| view! { <ButtonLink href variant=Variant::Secondary>"Previous"</ButtonLink> })}
            {next.map(|href| view! { <ButtonLink href variant=Variant::Secondary>"Next"</ButtonLink> })}
        </nav>
    }
}

/// The viewer's saved views as links, and a form saving the current one.
#[component]
fn SavedViews(views: Vec<(Uuid, String, String)>, base: String, query: LeadQuery) -> impl IntoView {
    let org = org_slug();
    let save = ServerAction::<SaveLeadView>::new();
    let delete = ServerAction::<DeleteLeadView>::new();
    let error = last_error(save);
    let org2 = org.clone();
    view! {
        <div class="mb-4 flex flex-wrap items-end gap-3">
            <nav aria-label="Saved views" class="flex flex-wrap items-center gap-2 text-sm">
                <span class="text-muted">"Saved views:"</span>
                {if views.is_empty() {
                    view! { <span class="text-muted">"none yet"</span> }.into_any()
                } else {
                    views.into_iter().map(|(id, name, q)| {
                        let href = with_query(&base, &q);
                        let label = format!("Delete saved view {name}");
                        let org = org2.clone();
                        view! {
                            <span class="inline-flex items-center gap-1 rounded-full border border-line px-2 py-0.5">
                                <a class="link" href=href>{name}</a>
                                <ActionForm action=delete attr:class="inline">
                                    <input type="hidden" name="org" value=org />
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <button type="submit" class="text-muted hover:text-danger" aria-label=label>"×"</button>
                                </ActionForm>
                            </span>
                        }
                    }).collect_view().into_any()
                }}
            </nav>
            <ActionForm action=save attr:class="ml-auto flex items-end gap-2">
                <input type="hidden" name="org" value=org />
                {query_inputs("query", &query)}
                <Field name="name" label="Save this view as" error=field_error(&error, "name") />
                <Button variant=Variant::Secondary>"Save view"</Button>
            </ActionForm>
        </div>
    }
}

/// The fields of the lead form (new and edit).
#[component]
fn LeadFields(form: LeadForm, error: Option<AppError>) -> impl IntoView {
    let e = |name: &str| field_error(&error, name);
    let priorities: Vec<(String, String)> = LeadPriority::ALL
        .iter()
        .map(|p| (p.key().to_owned(), p.label().to_owned()))
        .collect();
    let selected = if form.priority.is_empty() {
        "warm".to_owned()
    } else {
        form.priority.clone()
    };
    view! {
        <div class="grid gap-4 md:grid-cols-2">
            <Field name="lead[first_name]" label="First name" value=form.first_name error=e("first_name") autocomplete="off" />
            <Field name="lead[last_name]" label="Last name" value=form.last_name error=e("last_name") autocomplete="off" />
            <Field name="lead[email]" label="Email" kind="email" value=form.email error=e("email") autocomplete="off" />
            <Field name="lead[phone]" label="Phone" kind="tel" value=form.phone error=e("phone") autocomplete="off" />
            <Field name="lead[company]" label="Company" value=form.company error=e("company") autocomplete="off" />
            <Field name="lead[job_title]" label="Job title" value=form.job_title error=e("job_title") autocomplete="off" />
            <Select name="lead[priority]" label="Priority" options=priorities selected=selected error=e("priority") />
            <Field name="lead[estimated_value]" label="Estimated value" value=form.estimated_value error=e("estimated_value") hint="In the organization's currency, e.g. 12500" />
            <Field name="lead[tags]" label="Tags" value=form.tags error=e("tags") hint="Separate with commas" />
            <Field name="lead[next_follow_up]" label="Next follow-up" kind="date" value=form.next_follow_up error=e("next_follow_up") />
        </div>
    }
}

/// A lead's fields for those who may read but not change it: the same facts as
/// [`LeadFields`], as a list instead of a form without a button.
#[component]
fn LeadFacts(form: LeadForm, value: Option<Money>) -> impl IntoView {
    let or_dash = |v: String| {
        if v.trim().is_empty() {
            "—".to_owned()
        } else {
            v
        }
    };
    let priority = LeadPriority::parse(&form.priority)
        .map(|p| p.label().to_owned())
        .unwrap_or_default();
    let facts = [
        ("First name", form.first_name),
        ("Last name", form.last_name),
        ("Email", form.email),
        ("Phone", form.phone),
        ("Company", form.company),
        ("Job title", form.job_title),
        ("Priority", priority),
        (
            "Estimated value",
            value.map(|v| v.display()).unwrap_or_default(),
        ),
        ("Tags", form.tags),
        ("Next follow-up", form.next_follow_up),
    ];
    // One string, as the design system's fields are: nothing in it is reactive.
    let mut m = Markup::with_capacity(640);
    m.raw(r#"<dl class="status-list">"#);
    for (term, value) in facts {
        m.raw("<dt>")
            .raw(term)
            .raw("</dt><dd>")
            .text(&or_dash(value))
            .raw("</dd>");
    }
    m.raw("</dl>");
    m.into_view()
}

/// `/o/{org}/leads/new`.
#[component]
pub fn NewLeadPage() -> impl IntoView {
    let action = ServerAction::<CreateLead>::new();
    let error = last_error(action);
    let org = org_slug();
    let back = org_href(&org, "leads");
    let allowed = Resource::new(org_slug, load_new_lead);
    view! {
        <Title text="New lead" />
        <PageHeader title="New lead" description="It is assigned to you; reassign it from its page.">
            <ButtonLink href=back variant=Variant::Secondary>"Back to leads"</ButtonLink>
        </PageHeader>
        {loaded(allowed, move |()| {
            let error = error.clone();
            let org = org.clone();
            view! {
                <FormAlert error=error.clone() />
                <ActionForm action=action attr:class="card grid gap-4">
                    <input type="hidden" name="org" value=org />
                    <LeadFields form=LeadForm::default() error=error />
                    <div><Button>"Create lead"</Button></div>
                </ActionForm>
            }
        })}
    }
}

fn lead_notice(key: &str) -> Option<&'static str> {
    match key {
        "created" => Some("Lead created."),
        "saved" => Some("Changes saved."),
        "status" => Some("Status changed."),
        "assigned" => Some("Lead assigned."),
        "activity" => Some("Logged."),
        _ => None,
    }
}

/// `/o/{org}/leads/{id}`.
#[component]
pub fn LeadDetailPage() -> impl IntoView {
    let key = crate::shell::org_and_param("id");
    let data = Resource::new(key, |(org, id)| async move {
        let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
        load_lead(org, id).await.map(Arc::new)
    });
    view! {
        <Title text="Lead" />
        <Notice messages=lead_notice />
        {loaded(data, |lead: Arc<LeadDetail>| view! { <LeadView lead /> })}
    }
}

#[component]
fn LeadView(lead: Arc<LeadDetail>) -> impl IntoView {
    let org = org_slug();
    let update = ServerAction::<UpdateLead>::new();
    let status = ServerAction::<ChangeLeadStatus>::new();
    let assign = ServerAction::<AssignLead>::new();
    let activity = ServerAction::<AddLeadActivity>::new();
    let update_error = last_error(update);
    let status_error = last_error(status);
    let assign_error = last_error(assign);
    let activity_error = last_error(activity);
    let name = {
        let n = format!("{} {}", lead.form.first_name, lead.form.last_name);
        let n = n.trim().to_owned();
        if n.is_empty() {
            lead.form.company.clone()
        } else {
            n
        }
    };
    let id = lead.id.to_string();
    let version = lead.version.to_string();
    // No status is picked for the user: a press of the button without a choice is
    // refused with a message, instead of moving the lead to whatever came first.
    let statuses: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a status".to_owned()))
            .chain(
                LeadStatus::ALL
                    .iter()
                    .filter(|s| **s != lead.status)
                    .map(|s| (s.key().to_owned(), s.label().to_owned())),
            )
            .collect();
    let assignees: Vec<(String, String)> = std::iter::once((String::new(), "Nobody".to_owned()))
        .chain(
            lead.assignees
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect();
    let current_assignee = lead
        .assignee
        .as_ref()
        .map(|(id, _)| id.to_string())
        .unwrap_or_default();
    let kinds: Vec<(String, String)> = ActivityKind::ALL
        .iter()
        .map(|k| (k.key().to_owned(), k.label().to_owned()))
        .collect();
    let subtitle = format!(
        "{} · score {} ({}% confidence) · {}",
        lead.form.company,
        lead.score,
        lead.score_confidence,
        lead.assignee
            .as_ref()
            .map(|(_, n)| format!("owner {n}"))
            .unwrap_or_else(|| "unassigned".into())
    );
    let (org2, org3, org4, org5) = (org.clone(), org.clone(), org.clone(), org.clone());
    let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
    let version2 = version.clone();
    let back = org_href(&org, "leads");
    let form = lead.form.clone();
    let value = lead.value.clone();
    // The view's children are closures of their own: each takes what it shows, not the
    // shared lead.
    let (status_now, can_write, can_assign, source) =
        (lead.status, lead.can_write, lead.can_assign, lead.source);
    let timeline = (!lead.timeline.is_empty()).then(|| timeline_html(&lead.timeline));
    let lost_reason = lead.lost_reason.clone();
    // The partner and the campaign link to the list of their leads.
    let filtered_by = |key: &str, named: &Option<(Uuid, String)>| match named {
        Some((id, name)) => {
            let href = format!("{back}?{key}={id}");
            let title = format!("All leads of {name}");
            view! { <a class="link" href=href title=title>{name.clone()}</a> }.into_any()
        }
        None => "—".into_any(),
    };
    let partner = filtered_by("partner", &lead.partner);
    let campaign = filtered_by("campaign", &lead.campaign);
    let deal = lead.deal.clone();
    let funnels = lead.funnels.clone();
    let created = lead.created_at.get(..10).unwrap_or_default().to_owned();
    view! {
        <Title text=name.clone() />
        <PageHeader title=name description=subtitle>
            <Badge tone=status_tone(status_now)>{status_now.label()}</Badge>
            <ButtonLink href=back variant=Variant::Secondary>"Back to leads"</ButtonLink>
        </PageHeader>
        {lost_reason.map(|r| view! { <p class="mb-4 text-sm">"Lost because: " {r}</p> })}
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="grid gap-6 lg:col-span-2">
                <Card title="Details">
                    {if can_write {
                        view! {
                            <FormAlert error=update_error.clone() />
                            <ActionForm action=update attr:class="grid gap-4">
                                <input type="hidden" name="org" value=org2 />
                                <input type="hidden" name="id" value=id2 />
                                <input type="hidden" name="version" value=version />
                                <LeadFields form=form error=update_error />
                                <div><Button>"Save changes"</Button></div>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! { <LeadFacts form value /> }.into_any()
                    }}
                </Card>
                <ScoreCard lead />
                <Card title="Timeline">
                    <Timeline entries=timeline />
                </Card>
            </div>
            <div class="grid content-start gap-6">
                {can_write.then(|| view! {
                    <Card title="Status">
                        <FormAlert error=status_error.clone() />
                        <ActionForm action=status attr:class="grid gap-3">
                            <input type="hidden" name="org" value=org3 />
                            <input type="hidden" name="id" value=id3 />
                            <input type="hidden" name="version" value=version2 />
                            <Select name="status" label="Move to" options=statuses error=field_error(&status_error, "status") />
                            <Field name="reason" label="Reason (required for lost)" error=field_error(&status_error, "reason") />
                            <div><Button variant=Variant::Secondary>"Change status"</Button></div>
                        </ActionForm>
                    </Card>
                })}
                {can_assign.then(|| view! {
                    <Card title="Owner">
                        <FormAlert error=assign_error.clone() />
                        <ActionForm action=assign attr:class="grid gap-3">
                            <input type="hidden" name="org" value=org4 />
                            <input type="hidden" name="id" value=id4 />
                            <Select name="assignee" label="Assign to" options=assignees selected=current_assignee error=field_error(&assign_error, "assignee") />
                            <div><Button variant=Variant::Secondary>"Assign"</Button></div>
                        </ActionForm>
                    </Card>
                })}
                {can_write.then(|| view! {
                    <Card title="Log an activity">
                        <FormAlert error=activity_error.clone() />
                        <ActionForm action=activity attr:class="grid gap-3">
                            <input type="hidden" name="org" value=org5 />
                            <input type="hidden" name="id" value=id />
                            <Select name="kind" label="Kind" options=kinds error=field_error(&activity_error, "kind") />
                            <Field name="subject" label="Subject" required=true error=field_error(&activity_error, "subject") />
                            <div class="field">
                                <label for="field-body" class="field-label">"Notes"</label>
                                <textarea id="field-body" name="body" rows="3" class="input"></textarea>
                            </div>
                            <Field name="due_on" label="Due (schedules a follow-up)" kind="date" error=field_error(&activity_error, "due_on") />
                            <div><Button variant=Variant::Secondary>"Log"</Button></div>
                        </ActionForm>
                    </Card>
                })}
                <Card title="Context">
                    <dl class="status-list">
                        <dt>"Source"</dt><dd>{source.label()}</dd>
                        <dt>"Partner"</dt><dd>{partner}</dd>
                        <dt>"Campaign"</dt><dd>{campaign}</dd>
                        {deal.map(|d| view! {
                            <dt>"Deal"</dt>
                            <dd>{d.name}<span class="block text-xs text-muted">{d.terms}</span></dd>
                        })}
                        <dt>"Created"</dt><dd>{created}</dd>
                    </dl>
                </Card>
                <FunnelCard funnels />
            </div>
        </div>
    }
}

/// How far the lead got in each funnel it entered: a bar and the steps in order, each
/// marked reached (with the day) or not.
#[component]
fn FunnelCard(funnels: Vec<FunnelProgress>) -> impl IntoView {
    view! {
        <Card title="Funnel progress">
            {if funnels.is_empty() {
                view! { <p class="text-sm text-muted">"Not in any funnel yet."</p> }.into_any()
            } else {
                funnels.into_iter().map(|funnel| {
                    let (reached, total) = (funnel.reached(), funnel.steps.len());
                    let summary = format!("{reached} of {total} steps");
                    let label = format!("{}: {summary}", funnel.name);
                    view! {
                        <section class="funnel">
                            <h3 class="text-sm font-medium">{funnel.name}</h3>
                            <progress class="funnel-bar" max=total value=reached aria-label=label>{summary}</progress>
                            <ol class="funnel-steps">
                                {funnel.steps.into_iter().map(|(step, at)| {
                                    let done = at.is_some();
                                    view! {
                                        <li class:funnel-reached=done>
                                            <span aria-hidden="true">{if done { "✓" } else { "○" }}</span>
                                            " " {step} " "
                                            <span class="text-xs text-muted">{at.unwrap_or_else(|| "not reached".into())}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </section>
                    }
                }).collect_view().into_any()
            }}
        </Card>
    }
}

/// The score, why, its history as a chart, and what to do next.
#[component]
fn ScoreCard(lead: Arc<LeadDetail>) -> impl IntoView {
    let insights = lead.insights.clone();
    view! {
        <Card title="Score">
            <div class="flex flex-wrap items-baseline gap-3">
                <p class="text-4xl font-semibold tabular-nums">{lead.score}</p>
                <p class="text-sm text-muted">{format!("of 100 · {}% confidence", lead.score_confidence)}</p>
            </div>
            {(!insights.is_empty()).then(|| view! {
                <ul class="mt-4 grid gap-2" aria-label="Insights">
                    {insights.into_iter().map(|(title, detail)| view! {
                        <li class="flash flash-info"><span class="font-medium">{title}</span> " · " {detail}</li>
                    }).collect_view()}
                </ul>
            })}
            {lead.explanation.clone().map(|e| {
                let computed = e.computed_at.get(..16).unwrap_or_default().replace('T', " ");
                view! {
                    <div class="mt-4 grid gap-6 md:grid-cols-2">
                        <div>
                            <h3 class="text-sm font-semibold">"Sub-scores"</h3>
                            <dl class="mt-2 grid gap-2">
                                {e.parts.into_iter().map(|(name, value)| view! {
                                    <div>
                                        <dt class="flex justify-between text-xs text-muted"><span>{name}</span><span class="tabular-nums">{value}</span></dt>
                                        <dd><meter class="meter" min="0" max="100" value=value.to_string()>{value}</meter></dd>
                                    </div>
                                }).collect_view()}
                            </dl>
                        </div>
                        <div>
                            <h3 class="text-sm font-semibold">"Why"</h3>
                            <ul class="mt-2 grid gap-1 text-sm">
                                {e.factors.into_iter().take(8).map(|f| {
                                    let tone = if f.starts_with('-') { "text-danger" } else { "" };
                                    view! { <li class=tone>{f}</li> }
                                }).collect_view()}
                            </ul>
                            <p class="mt-2 text-xs text-muted">"Computed " <time datetime=e.computed_at.clone()>{computed}</time></p>
                        </div>
                    </div>
                }
            })}
            <ScoreChart history=lead.history.clone() />
        </Card>
    }
}

/// The score history as a line chart (server-rendered SVG) with its numbers in a table
/// for screen readers.
#[component]
fn ScoreChart(history: Vec<(String, i16)>) -> impl IntoView {
    if history.len() < 2 {
        return ().into_any();
    }
    let (w, h, pad) = (600.0_f64, 120.0_f64, 6.0_f64);
    let step = (w - 2.0 * pad) / (history.len() - 1) as f64;
    let y = |v: i16| pad + (h - 2.0 * pad) * (1.0 - f64::from(v) / 100.0);
    let points = history
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", pad + step * i as f64, y(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let first = history.first().cloned().unwrap_or_default();
    let last = history.last().cloned().unwrap_or_default();
    let summary = format!(
        "Score history: {} on {}, {} on {}, {} points in between",
        first.1,
        first.0,
        last.1,
        last.0,
        history.len()
    );
    view! {
        <figure class="mt-6">
            <figcaption class="mb-2 text-sm font-semibold">"History"</figcaption>
            // The scale and the first and last days beside the line, in HTML: text inside
            // an SVG stretched to the card's width would stretch with it. They repeat
            // what the table below says, so screen readers skip them.
            <div class="score-chart">
                <div class="score-chart-y" aria-hidden="true">
                    <span class="score-chart-top">"100"</span>
                    <span class="score-chart-mid">"50"</span>
                    <span class="score-chart-bottom">"0"</span>
                </div>
                <svg viewBox=format!("0 0 {w} {h}") class="h-32 w-full text-accent" role="img" aria-label=summary preserveAspectRatio="none">
                    <line x1="0" y1=y(100).to_string() x2=w.to_string() y2=y(100).to_string() stroke="currentColor" stroke-opacity="0.12" />
                    <line x1="0" y1=y(50).to_string() x2=w.to_string() y2=y(50).to_string() stroke="currentColor" stroke-opacity="0.2" stroke-dasharray="4 4" />
                    <line x1="0" y1=y(0).to_string() x2=w.to_string() y2=y(0).to_string() stroke="currentColor" stroke-opacity="0.12" />
                    <polyline points=points fill="none" stroke="currentColor" stroke-width="2.5" vector-effect="non-scaling-stroke" />
                </svg>
                <div class="score-chart-x" aria-hidden="true">
                    <span>{first.0.clone()}</span>
                    <span>{format!("{} · {}", last.0, last.1)}</span>
                </div>
            </div>
            <table class="sr-only">
                <caption>"Score history"</caption>
                <thead><tr><th scope="col">"Date"</th><th scope="col">"Score"</th></tr></thead>
                <tbody>
                    {history.into_iter().map(|(d, v)| view! { <tr><td>{d}</td><td>{v}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
    .into_any()
}

/// The timeline's entries, written by [`timeline_html`] (`None`: nothing happened yet).
#[component]
fn Timeline(entries: Option<String>) -> impl IntoView {
    match entries {
        Some(html) => view! { <ol class="grid gap-3" inner_html=html></ol> }.into_any(),
        None => view! { <p class="text-sm text-muted">"Nothing has happened yet."</p> }.into_any(),
    }
}
