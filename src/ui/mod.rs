//! The design system: the few building blocks every page is made of, so pages look alike
//! and behave alike (focus rings, error text, dark theme) without each one re-deciding.
//!
//! The visual rules live in `style/tailwind.css` as component classes (`btn`, `badge`, …);
//! these components pick the right class and the right accessibility attributes.

use html::Markup;
use leptos::prelude::*;

mod form;
pub mod html;
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
            {children.map(|c| view! { <div class="flex flex-wrap items-center gap-2">{c()}</div> })}
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
    // Written as one string (see `html`): forms are most of the elements of the pages
    // people open all day, and nothing in a field is reactive.
    let id = field_id(&name, None);
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let error_id = error.as_ref().map(|_| format!("{id}-error"));
    let described_by = match (&hint_id, &error_id) {
        (Some(h), Some(e)) => Some(format!("{h} {e}")),
        (h, e) => h.clone().or_else(|| e.clone()),
    };
    let mut m = Markup::with_capacity(256);
    m.raw(r#"<div class="field"><label"#)
        .attr("for", &id)
        .raw(r#" class="field-label">"#)
        .text(&label);
    if required {
        m.raw(r#"<span class="text-danger" aria-hidden="true"> *</span>"#);
    }
    m.raw("</label><input")
        .attr("id", &id)
        .attr("name", &name)
        .attr("type", kind)
        .attr_some("value", value.as_deref())
        .flag("required", required)
        .attr_some("autocomplete", autocomplete.as_deref())
        .attr_some("aria-invalid", error.as_ref().map(|_| "true"))
        .attr_some("aria-describedby", described_by.as_deref())
        .raw(r#" class="input">"#);
    if let (Some(hint), Some(hint_id)) = (&hint, &hint_id) {
        m.raw("<p")
            .attr("id", hint_id)
            .raw(r#" class="field-hint">"#)
            .text(hint)
            .raw("</p>");
    }
    field_error_html(&mut m, error.as_deref(), error_id.as_deref());
    m.raw("</div>");
    m.into_view()
}

/// The id of a field's control: `field-` and its name with brackets turned into dashes,
/// then `-{suffix}` when several controls share the name.
fn field_id(name: &str, suffix: Option<&str>) -> String {
    let mut id = String::with_capacity(name.len() + 16);
    id.push_str("field-");
    id.extend(
        name.chars()
            .map(|c| if c == '[' || c == ']' { '-' } else { c }),
    );
    if let Some(s) = suffix {
        id.push('-');
        id.push_str(s);
    }
    id
}

fn field_error_html(m: &mut Markup, error: Option<&str>, error_id: Option<&str>) {
    if let (Some(error), Some(error_id)) = (error, error_id) {
        m.raw("<p")
            .attr("id", error_id)
            .raw(r#" class="field-error">"#)
            .text(error)
            .raw("</p>");
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
    // One string, as `Field`: the list page's selects hold about fifty `<option>`s.
    let id = field_id(&name, suffix.as_deref());
    let error_id = error.as_ref().map(|_| format!("{id}-error"));
    let mut m = Markup::with_capacity(160 + options.len() * 48);
    m.raw(r#"<div class="field"><label"#)
        .attr("for", &id)
        .raw(if hide_label {
            r#" class="sr-only">"#
        } else {
            r#" class="field-label">"#
        })
        .text(&label)
        .raw("</label><select")
        .attr("id", &id)
        .attr("name", &name)
        .raw(r#" class="input""#)
        .attr_some("aria-invalid", error.as_ref().map(|_| "true"))
        .attr_some("aria-describedby", error_id.as_deref())
        .raw(">");
    for (value, text) in &options {
        m.raw("<option")
            .attr("value", value)
            .flag("selected", selected.as_deref() == Some(value.as_str()))
            .raw(">")
            .text(text)
            .raw("</option>");
    }
    m.raw("</select>");
    field_error_html(&mut m, error.as_deref(), error_id.as_deref());
    m.raw("</div>");
    m.into_view()
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
    // The scroll box takes focus, so that a table wider than the screen scrolls from the
    // keyboard even when none of its cells holds a link (axe: scrollable-region-focusable),
    // and is a region named as its table, so that focus lands on something with a name.
    let region = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=region>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_wires_its_label_hint_and_error_and_escapes_its_values() {
        let html = view! {
            <Field
                name="lead[email]"
                label="E-mail <work>"
                kind="email"
                value="\"><script>x</script>"
                hint="We write to it"
                error=Some("Enter an address like name@example.com".to_owned())
                required=true
                autocomplete="off"
            />
        }
        .to_html();
        assert_eq!(
            html,
            concat!(
                r#"<div class="field"><label for="field-lead-email-" class="field-label">E-mail &lt;work&gt;"#,
                r#"<span class="text-danger" aria-hidden="true"> *</span></label>"#,
                r#"<input id="field-lead-email-" name="lead[email]" type="email" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;""#,
                r#" required autocomplete="off" aria-invalid="true""#,
                r#" aria-describedby="field-lead-email--hint field-lead-email--error" class="input">"#,
                r#"<p id="field-lead-email--hint" class="field-hint">We write to it</p>"#,
                r#"<p id="field-lead-email--error" class="field-error">Enter an address like name@example.com</p></div>"#,
            )
        );
        let plain = view! { <Field name="q" label="Search" /> }.to_html();
        assert_eq!(
            plain,
            r#"<div class="field"><label for="field-q" class="field-label">Search</label><input id="field-q" name="q" type="text" class="input"></div>"#
        );
    }

    #[test]
    fn a_select_marks_the_chosen_option_and_escapes_every_label() {
        let options = vec![
            (String::new(), "Anyone".to_owned()),
            ("me".to_owned(), "Me & <my team>".to_owned()),
        ];
        let html = view! {
            <Select name="assignee" label="Assigned to" options selected="me" suffix="7" hide_label=true />
        }
        .to_html();
        assert_eq!(
            html,
            concat!(
                r#"<div class="field"><label for="field-assignee-7" class="sr-only">Assigned to</label>"#,
                r#"<select id="field-assignee-7" name="assignee" class="input">"#,
                r#"<option value="">Anyone</option><option value="me" selected>Me &amp; &lt;my team&gt;</option>"#,
                r#"</select></div>"#,
            )
        );
        let failed = view! {
            <Select name="status" label="Status" options=vec![("new".to_owned(), "New".to_owned())] error=Some("Pick one".to_owned()) />
        }
        .to_html();
        assert!(failed.contains(
            r#"<select id="field-status" name="status" class="input" aria-invalid="true" aria-describedby="field-status-error">"#
        ));
        assert!(
            failed
                .ends_with(r#"<p id="field-status-error" class="field-error">Pick one</p></div>"#)
        );
    }
}
