//! Pieces of the leads list: the bulk-action bar and its notice.

use super::model::{LeadAbilities, LeadQuery, LeadStatus, MatchCount};
use crate::error::AppError;
use crate::ui::html::Markup;
use crate::ui::{Button, Field, Flash, FlashKind, FormAlert, Select, Variant, field_error};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The hidden inputs that carry the list's filter into a form post
/// (`{prefix}[key]=value`).
pub fn query_inputs(prefix: &str, query: &LeadQuery) -> impl IntoView + use<> {
    let mut m = Markup::with_capacity(256);
    for (key, value) in query.first_page().pairs() {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        m.raw(r#"<input type="hidden" name=""#)
            .text(prefix)
            .raw("[")
            .text(key)
            .raw(r#"]" value=""#)
            .text(value)
            .raw(r#"">"#);
    }
    m.into_view()
}

/// "Changed 12 leads." after a bulk action (from the address it redirected to).
#[component]
pub fn BulkNotice() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let changed = q
        .get("notice")
        .filter(|n| n == "bulk")
        .and_then(|_| q.get("changed"))
        .and_then(|c| c.parse::<i64>().ok());
    changed.map(|n| {
        let message = match n {
            0 => "Nothing to change: the leads already were that way.".to_owned(),
            n => format!("Changed {}.", MatchCount::Exact(n).label()),
        };
        view! { <Flash kind=FlashKind::Success message /> }
    })
}

/// The bar above the table: which leads (the ticked ones, or the whole filter) and one
/// button per action the viewer may take. The table's checkboxes belong to the same
/// form, so it all posts together, with or without JavaScript.
#[component]
pub fn BulkBar(
    can: LeadAbilities,
    count: MatchCount,
    assignees: Vec<(String, String)>,
    error: Option<AppError>,
) -> impl IntoView {
    let e = |name: &str| field_error(&error, name);
    // A first "Choose…" entry, so a click on the wrong button changes nothing.
    let choose = || (String::new(), "Choose…".to_owned());
    let statuses: Vec<(String, String)> = std::iter::once(choose())
        .chain(
            LeadStatus::ALL
                .iter()
                .filter(|s| !matches!(s, LeadStatus::Lost | LeadStatus::Unqualified))
                .map(|s| (s.key().to_owned(), s.label().to_owned())),
        )
        .collect();
    let assignees: Vec<(String, String)> = std::iter::once(choose()).chain(assignees).collect();
    let everything = match count {
        MatchCount::Exact(n) => format!("All {} matching the filter", MatchCount::Exact(n).label()),
        MatchCount::AtLeast(_) => "Every lead matching the filter (up to 1,000)".to_owned(),
    };
    let target_error = e("target").or_else(|| e("ids"));
    let described = target_error.as_ref().map(|_| "bulk-target-error");
    view! {
        <FormAlert error=error.clone() />
        <fieldset class="card mb-4 flex flex-wrap items-end gap-4" aria-describedby=described>
            <legend class="sr-only">"Bulk actions"</legend>
            <div class="flex flex-col gap-1 text-sm" role="radiogroup" aria-label="Apply to">
                <span class="field-label">"Apply to"</span>
                <label class="flex items-center gap-2">
                    <input type="radio" name="bulk[target]" value="selected" checked=true />
                    "The leads ticked below"
                </label>
                <label class="flex items-center gap-2">
                    <input type="radio" name="bulk[target]" value="filter" />
                    {everything}
                </label>
                {target_error.map(|m| view! { <p id="bulk-target-error" class="field-error">{m}</p> })}
            </div>
            {can.assign.then(|| view! {
                <div class="flex items-end gap-2">
                    <Select name="bulk[assignee]" label="Assign to" options=assignees.clone() error=e("assignee") />
                    <Button variant=Variant::Secondary name="bulk[action]" value="assign">"Assign"</Button>
                </div>
            })}
            {can.write.then(|| view! {
                <div class="flex items-end gap-2">
                    <Select name="bulk[status]" label="Change status to" options=statuses.clone() error=e("status") />
                    <Button variant=Variant::Secondary name="bulk[action]" value="status">"Change status"</Button>
                </div>
                <div class="flex items-end gap-2">
                    <Field name="bulk[tag]" label="Add tag" error=e("tag") />
                    <Button variant=Variant::Secondary name="bulk[action]" value="tag">"Add tag"</Button>
                </div>
            })}
            {can.export.then(|| view! {
                <Button variant=Variant::Secondary name="bulk[action]" value="export">"Export"</Button>
            })}
            {can.write.then(|| view! {
                <div class="flex items-end gap-2">
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" name="bulk[confirm]" value="delete" />
                        "Yes, delete them"
                    </label>
                    <Button variant=Variant::Danger name="bulk[action]" value="delete">"Delete"</Button>
                </div>
                {e("confirm").map(|m| view! { <p class="field-error">{m}</p> })}
            })}
        </fieldset>
    }
}
