//! The design system: the few building blocks every page is made of, so pages look alike
//! and behave alike (focus rings, error text, dark theme) without each one re-deciding.
//!
//! The visual rules live in `style/tailwind.css` as component classes (`btn`, `badge`, …);
//! these components pick the right class and the right accessibility attributes.

use leptos::prelude::*;

mod form;
pub use form::{FormAlert, Notice, field_error, last_error};

/// How prominent a button is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// The one main action of a view.
    #[default]
    Primary,
    /// Any other action.
    Secondary,
    /// An action that destroys or cannot be undone.
    Danger,
    /// A quiet action inside dense content.
    Ghost,
}

impl Variant {
    fn class(self) -> &'static str {
        match self {
            Variant::Primary => "btn btn-primary",
            Variant::Secondary => "btn btn-secondary",
            Variant::Danger => "btn btn-danger",
            Variant::Ghost => "btn btn-ghost",
        }
    }
}

/// A `<button>`; `type="submit"` unless `kind` says otherwise, so it works in plain forms.
#[component]
pub fn Button(
    #[prop(optional)] variant: Variant,
    #[prop(default = "submit")] kind: &'static str,
    #[prop(optional, into)] name: Option<String>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] label: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <button type=kind class=variant.class() name=name value=value aria-label=label>
            {children()}
        </button>
    }
}

/// A link styled as a button, for actions that navigate.
#[component]
pub fn ButtonLink(
    #[prop(into)] href: String,
    #[prop(optional)] variant: Variant,
    children: Children,
) -> impl IntoView {
    view! {
        <a href=href class=variant.class()>
            {children()}
        </a>
    }
}

/// The colour of a badge; each maps to one meaning across the app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tone {
    /// No particular meaning.
    #[default]
    Neutral,
    /// Done, healthy, paid.
    Success,
    /// Needs attention soon.
    Warning,
    /// Failed, lost, overdue.
    Danger,
    /// Informational, in progress.
    Info,
}

impl Tone {
    /// The badge classes of this tone.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "badge badge-neutral",
            Tone::Success => "badge badge-success",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
            Tone::Info => "badge badge-info",
        }
    }
}

/// A short status label.
#[component]
pub fn Badge(#[prop(optional)] tone: Tone, children: Children) -> impl IntoView {
    view! { <span class=tone.class()>{children()}</span> }
}

/// The title block at the top of a page, with optional actions on the right.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] description: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{title}</h1>
                {description.map(|d| view! { <p class="mt-1 text-sm text-muted">{d}</p> })}
            </div>
            {children.map(|c| view! { <div class="flex flex-wrap gap-2">{c()}</div> })}
        </header>
    }
}

/// What a list shows when it has nothing in it, with the next step to take.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2 class="text-base font-semibold">{title}</h2>
            <p class="mt-1 text-sm text-muted">{description}</p>
            {children.map(|c| view! { <div class="mt-4">{c()}</div> })}
        </section>
    }
}

/// The kind of a flash message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FlashKind {
    /// Something worked.
    #[default]
    Success,
    /// Something failed and the user should act.
    Error,
    /// Neutral information.
    Info,
}

/// A message after an action. Errors are announced assertively, the rest politely.
#[component]
pub fn Flash(#[prop(optional)] kind: FlashKind, #[prop(into)] message: String) -> impl IntoView {
    let (class, role) = match kind {
        FlashKind::Success => ("flash flash-success", "status"),
        FlashKind::Error => ("flash flash-error", "alert"),
        FlashKind::Info => ("flash flash-info", "status"),
    };
    view! {
        <div class=class role=role>
            {message}
        </div>
    }
}

/// A labelled form input with its hint and error text wired up for screen readers.
#[component]
pub fn Field(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] autocomplete: Option<String>,
) -> impl IntoView {
    let id = format!("field-{}", name.replace(['[', ']'], "-"));
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let error_id = error.as_ref().map(|_| format!("{id}-error"));
    let described_by = [hint_id.clone(), error_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let described_by = (!described_by.is_empty()).then_some(described_by);
    let invalid = error.as_ref().map(|_| "true");
    view! {
        <div class="field">
            <label for=id.clone() class="field-label">
                {label}
                {required.then(|| view! { <span class="text-danger" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=invalid
                aria-describedby=described_by
                class="input"
            />
            {hint.map(|h| view! { <p id=hint_id class="field-hint">{h}</p> })}
            {error.map(|e| view! { <p id=error_id class="field-error">{e}</p> })}
        </div>
    }
}

/// A `<select>` with its label (visually hidden when `hide_label`) and error text.
#[component]
pub fn Select(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: Option<String>,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional)] hide_label: bool,
    /// Tells apart several selects of the same name on one page (one per table row).
    #[prop(optional, into)]
    suffix: Option<String>,
) -> impl IntoView {
    let base = name.replace(['[', ']'], "-");
    let id = match suffix {
        Some(s) => format!("field-{base}-{s}"),
        None => format!("field-{base}"),
    };
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone() class=if hide_label { "sr-only" } else { "field-label" }>{label}</label>
            <select id=id name=name class="input" aria-invalid=error.as_ref().map(|_| "true")
                aria-describedby=error.as_ref().map(|_| error_id.clone())>
                {options.into_iter().map(|(value, text)| {
                    let is_selected = selected.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=is_selected>{text}</option> }
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p id=error_id class="field-error">{e}</p> })}
        </div>
    }
}

/// A table with a caption (shown to screen readers, optionally visible) in a scroll box.
#[component]
pub fn Table(
    #[prop(into)] caption: String,
    #[prop(optional)] show_caption: bool,
    children: Children,
) -> impl IntoView {
    let caption_class = if show_caption {
        "table-caption"
    } else {
        "sr-only"
    };
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class=caption_class>{caption}</caption>
                {children()}
            </table>
        </div>
    }
}

/// A bordered panel grouping related content.
#[component]
pub fn Card(#[prop(optional, into)] title: Option<String>, children: Children) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|t| view! { <h2 class="card-title">{t}</h2> })}
            {children()}
        </section>
    }
}
