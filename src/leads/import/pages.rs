//! `/o/{org}/leads/import` (upload and recent imports) and `/o/{org}/leads/import/{id}`
//! (the mapping step, progress while it runs, and the outcome).

use super::api::{StartLeadImport, load_lead_import, load_lead_imports};
use super::model::{
    ImportDetail, ImportField, ImportMode, ImportStatus, ImportSummary, upload_error_message,
};
use crate::access::model::org_href;
use crate::leads::model::group;
use crate::org::pages::org_slug;
use crate::shell::loaded;
use crate::ui::{
    Badge, Button, ButtonLink, Card, EmptyState, Flash, FlashKind, FormAlert, PageHeader, Table,
    Tone, Variant, field_error, last_error,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

fn status_tone(status: ImportStatus) -> Tone {
    match status {
        ImportStatus::Done => Tone::Success,
        ImportStatus::Failed => Tone::Danger,
        ImportStatus::Queued | ImportStatus::Running => Tone::Info,
        ImportStatus::Uploaded => Tone::Warning,
    }
}

/// `/o/{org}/leads/import`.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let org = org_slug();
    let data = Resource::new(org_slug, load_lead_imports);
    let error = use_query_map()
        .get_untracked()
        .get("error")
        .and_then(|code| upload_error_message(&code));
    let upload = org_href(&org, "leads/import");
    view! {
        <Title text="Import leads" />
        <PageHeader title="Import leads" description="Upload a CSV file; then choose what each column means, try a dry run, and import.">
            <ButtonLink href=org_href(&org, "leads") variant=Variant::Secondary>"Back to leads"</ButtonLink>
        </PageHeader>
        {error.map(|message| view! { <Flash kind=FlashKind::Error message /> })}
        {loaded(data, move |imports: Vec<ImportSummary>| {
            let upload = upload.clone();
            view! {
                <div class="space-y-4">
                <Card title="Upload a file">
                    // The button sits beside the file input, the hint under both.
                    <form method="post" action=upload enctype="multipart/form-data" class="field">
                        <label for="import-file" class="field-label">"CSV file"</label>
                        <div class="flex flex-wrap items-center gap-4">
                            <input id="import-file" type="file" name="file" accept=".csv,text/csv" required class="input max-w-xl" aria-describedby="import-file-hint" />
                            <Button>"Upload"</Button>
                        </div>
                        <p id="import-file-hint" class="field-hint">
                            "UTF-8, comma-separated, a header row first; up to 64 MB and 200,000 rows."
                        </p>
                    </form>
                </Card>
                <ImportList imports />
                </div>
            }
        })}
    }
}

#[component]
fn ImportList(imports: Vec<ImportSummary>) -> impl IntoView {
    let org = org_slug();
    if imports.is_empty() {
        return view! {
            <EmptyState title="No imports yet" description="Files you upload are listed here with what became of every row." />
        }
        .into_any();
    }
    view! {
        <Table caption="Recent imports" show_caption=true>
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"Uploaded"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="text-right">"Rows"</th>
                    <th scope="col" class="text-right">"Created"</th>
                    <th scope="col" class="text-right">"Updated"</th>
                    <th scope="col" class="text-right">"Skipped"</th>
                    <th scope="col" class="text-right">"Errors"</th>
                </tr>
            </thead>
            <tbody>
                {imports.into_iter().map(|i| {
                    let href = org_href(&org, &format!("leads/import/{}", i.id));
                    let status = if i.status == ImportStatus::Done && i.dry_run {
                        "Dry run done".to_owned()
                    } else {
                        i.status.label().to_owned()
                    };
                    view! {
                        <tr>
                            <td><a class="link" href=href>{i.filename}</a></td>
                            <td class="whitespace-nowrap">{i.created_at}" · "{i.created_by}</td>
                            <td><Badge tone=status_tone(i.status)>{status}</Badge></td>
                            <td class="text-right tabular-nums">{group(i.total.into())}</td>
                            <td class="text-right tabular-nums">{group(i.created.into())}</td>
                            <td class="text-right tabular-nums">{group(i.updated.into())}</td>
                            <td class="text-right tabular-nums">{group(i.skipped.into())}</td>
                            <td class="text-right tabular-nums">{group(i.errors.into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </Table>
    }
    .into_any()
}

/// `/o/{org}/leads/import/{id}`.
#[component]
pub fn ImportPage() -> impl IntoView {
    let org = org_slug();
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|id| id.parse::<Uuid>().ok())
        .unwrap_or_default();
    let data = Resource::new(
        move || (org_slug(), id),
        |(org, id)| load_lead_import(org, id),
    );
    view! {
        <Title text="Import" />
        <PageHeader title="Import leads" description="Choose what each column means; a dry run shows what would happen without writing anything.">
            <ButtonLink href=org_href(&org, "leads/import") variant=Variant::Secondary>"All imports"</ButtonLink>
        </PageHeader>
        {loaded(data, |d: ImportDetail| view! { <ImportView d /> })}
    }
}

#[component]
fn ImportView(d: ImportDetail) -> impl IntoView {
    let s = d.summary.clone();
    let may_start = match s.status {
        ImportStatus::Uploaded | ImportStatus::Failed => true,
        ImportStatus::Done => s.dry_run,
        ImportStatus::Queued | ImportStatus::Running => false,
    };
    view! {
        <p class="mb-4 text-sm">
            <span class="font-medium">{s.filename.clone()}</span>
            <span class="text-muted">" · "{group(s.total.into())}" rows · uploaded "{s.created_at.clone()}" by "{s.created_by.clone()}</span>
        </p>
        <div class="space-y-4">
            {s.status.in_progress().then(|| view! { <Progress s=s.clone() /> })}
            {(s.status == ImportStatus::Done).then(|| view! { <Outcome s=s.clone() errors=d.errors.clone() /> })}
            {s.failure.clone().map(|message| view! { <Flash kind=FlashKind::Error message /> })}
            {may_start.then(|| view! { <MappingForm d=d.clone() /> })}
        </div>
    }
}

/// While the worker has it: a progress bar, and a page that refreshes itself (with or
/// without JavaScript).
#[component]
fn Progress(s: ImportSummary) -> impl IntoView {
    let what = if s.dry_run { "Dry run" } else { "Importing" };
    let text = format!(
        "{what}: {} of {} rows ({}%)",
        group(s.processed.into()),
        group(s.total.into()),
        s.percent()
    );
    view! {
        <Meta http_equiv="refresh" content="2" />
        <Card title=s.status.label()>
            <progress class="w-full" max=s.total.max(1) value=s.processed aria-label="Import progress"></progress>
            <p class="mt-2 text-sm" role="status">{text}</p>
            <p class="mt-1 text-xs text-muted">"This page updates itself every two seconds; you can leave it and come back."</p>
        </Card>
    }
}

/// The figures of a finished run and its first refused rows.
#[component]
fn Outcome(s: ImportSummary, errors: Vec<(i32, String)>) -> impl IntoView {
    let org = org_slug();
    let report = org_href(&org, &format!("leads/import/{}/errors.csv", s.id));
    let heading = if s.dry_run {
        "Dry run finished: nothing was written"
    } else {
        "Import finished"
    };
    let verb = |done: &'static str, would: &'static str| if s.dry_run { would } else { done };
    let figures = [
        (verb("Created", "Would create"), s.created),
        (verb("Updated", "Would update"), s.updated),
        (verb("Skipped", "Would skip"), s.skipped),
        ("Errors", s.errors),
    ];
    view! {
        <Card title=heading>
            <dl class="grid grid-cols-2 gap-4 md:grid-cols-4">
                {figures.into_iter().map(|(label, n)| view! {
                    <div>
                        <dt class="text-sm text-muted">{label}</dt>
                        <dd class="text-2xl font-semibold tabular-nums">{group(n.into())}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {(!errors.is_empty()).then(|| view! {
                <h3 class="mt-4 text-sm font-semibold">"Rows that were refused"</h3>
                <ul class="mt-2 list-disc pl-5 text-sm">
                    {errors.into_iter().map(|(line, why)| view! { <li>"Line "{line}": "{why}</li> }).collect_view()}
                </ul>
                <p class="mt-3">
                    <a class="btn btn-secondary" href=report download="">"Download the error report"</a>
                </p>
            })}
        </Card>
    }
}

/// Per column: its header, sample values and the field it fills; the mode; and the two
/// ways to go on.
#[component]
fn MappingForm(d: ImportDetail) -> impl IntoView {
    let action = ServerAction::<StartLeadImport>::new();
    let error = last_error(action);
    let org = org_slug();
    let mode = d.summary.mode;
    let options: Vec<(String, &'static str)> = std::iter::once((String::new(), "Don't import"))
        .chain(
            ImportField::ALL
                .iter()
                .map(|f| (f.key().to_owned(), f.label())),
        )
        .collect();
    let mapping_error = field_error(&error, "mapping");
    let described = mapping_error.as_ref().map(|_| "mapping-error");
    view! {
        <FormAlert error=error.clone() />
        <ActionForm action attr:class="card" attr:aria-describedby=described>
            <h2 class="card-title">"Map the columns"</h2>
            <input type="hidden" name="org" value=org />
            <input type="hidden" name="id" value=d.summary.id.to_string() />
            {mapping_error.map(|e| view! { <p id="mapping-error" class="field-error mb-2">{e}</p> })}
            <Table caption="Columns of the file">
                <thead>
                    <tr>
                        <th scope="col">"Column"</th>
                        <th scope="col">"First values"</th>
                        <th scope="col">"Import as"</th>
                    </tr>
                </thead>
                <tbody>
                    {d.header.iter().enumerate().map(|(i, name)| {
                        let samples = d.samples.iter()
                            .filter_map(|row| row.get(i))
                            .filter(|v| !v.trim().is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        let chosen = d.mapping.get(i).cloned().unwrap_or_default();
                        let id = format!("mapping-{i}");
                        let label = format!("Import column {name} as");
                        view! {
                            <tr>
                                <th scope="row" class="font-medium">{name.clone()}</th>
                                <td class="max-w-xs truncate text-muted">{samples}</td>
                                <td>
                                    <label for=id.clone() class="sr-only">{label}</label>
                                    <select id=id name=format!("mapping[{i}]") class="input">
                                        {options.iter().map(|(key, text)| {
                                            let selected = *key == chosen;
                                            view! { <option value=key.clone() selected=selected>{*text}</option> }
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </Table>
            <fieldset class="mt-4">
                <legend class="field-label">"When a row's email already belongs to a lead"</legend>
                <label class="mt-1 flex items-center gap-2 text-sm">
                    <input type="radio" name="mode" value="create" checked=mode == ImportMode::Create />
                    "Skip the row (create new leads only)"
                </label>
                <label class="mt-1 flex items-center gap-2 text-sm">
                    <input type="radio" name="mode" value="upsert" checked=mode == ImportMode::Upsert />
                    "Update that lead with the row's non-blank cells"
                </label>
            </fieldset>
            <div class="mt-4 flex flex-wrap gap-2">
                <Button variant=Variant::Secondary name="run" value="dry">"Dry run"</Button>
                <Button name="run" value="apply">"Import"</Button>
            </div>
        </ActionForm>
    }
}
