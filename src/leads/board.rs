//! `/o/{org}/leads/board`: the pipeline as a kanban board. Every card carries a small
//! form (a status picker and a Move button) that works without JavaScript; when the
//! page is hydrated, dragging a card onto a column fills in that form and submits it.

use super::api::{MoveLead, load_board};
use super::model::{BOARD_STATUSES, BoardCard, BoardColumn, LeadQuery};
use super::pages::status_tone;
use crate::access::model::{org_href, with_query};
use crate::org::pages::org_slug;
use crate::shell::loaded;
use crate::ui::{Badge, ButtonLink, FormAlert, PageHeader, Variant, last_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The board page; the list's filters in the address apply here too.
#[component]
pub fn BoardPage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let query = LeadQuery::from_pairs(|k| q.get(k)).first_page();
    let data = Resource::new(
        {
            let query = query.clone();
            move || (org_slug(), query.clone())
        },
        |(org, query)| load_board(org, query),
    );
    let org = org_slug();
    let list = with_query(&org_href(&org, "leads"), &query.to_query());
    let error = last_error(ServerAction::<MoveLead>::new());
    view! {
        <Title text="Lead board" />
        <PageHeader title="Lead board" description="Drag a card to another column, or use its Move button. Totals count every lead in the column.">
            <ButtonLink href=list variant=Variant::Secondary>"List view"</ButtonLink>
        </PageHeader>
        <FormAlert error />
        {loaded(data, |columns: Vec<BoardColumn>| view! {
            <BoardDnd>
                <div class="board">
                    {columns.into_iter().map(|c| view! { <Column c /> }).collect_view()}
                </div>
            </BoardDnd>
        })}
    }
}

#[component]
fn Column(c: BoardColumn) -> impl IntoView {
    let heading = format!("board-{}", c.status.key());
    let labelled_by = heading.clone();
    view! {
        <section class="board-column" data-column=c.status.key() aria-labelledby=labelled_by>
            <header class="board-column-header">
                <h2 id=heading class="text-sm font-semibold">{c.status.label()}</h2>
                <p class="text-xs text-muted tabular-nums">
                    {format!("{} · {}", super::model::group(c.count), c.value.display())}
                </p>
            </header>
            <ul class="grid gap-2">
                {c.cards.into_iter().map(|card| view! { <Card card status=c.status /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Card(card: BoardCard, status: super::model::LeadStatus) -> impl IntoView {
    let action = ServerAction::<MoveLead>::new();
    let org = org_slug();
    let href = org_href(&org, &format!("leads/{}", card.id));
    let form_id = format!("move-{}", card.id);
    let select_id = format!("move-status-{}", card.id);
    let label = format!("Move {} to", card.name);
    view! {
        <li class="board-card" draggable="true" data-card=card.id.to_string()>
            <a href=href class="link text-sm">{card.name.clone()}</a>
            <p class="text-xs text-muted">{card.company.clone().unwrap_or_default()}</p>
            <p class="mt-1 flex items-center gap-2 text-xs">
                <Badge tone=status_tone(status)>{format!("score {}", card.score)}</Badge>
                {card.value.map(|v| v.display())}
            </p>
            <ActionForm action attr:id=form_id attr:class="mt-2 flex items-center gap-1">
                <input type="hidden" name="org" value=org />
                <input type="hidden" name="id" value=card.id.to_string() />
                <input type="hidden" name="version" value=card.version.to_string() />
                <label for=select_id.clone() class="sr-only">{label}</label>
                <select id=select_id name="status" class="input py-1 text-xs">
                    {BOARD_STATUSES.iter().map(|s| view! {
                        <option value=s.key() selected=*s == status>{s.label()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="btn btn-secondary px-2 py-1 text-xs">"Move"</button>
            </ActionForm>
        </li>
    }
}

/// Drag and drop over server-rendered cards. An island when the app is built with
/// islands: only this wrapper ships to the browser, the cards stay plain HTML.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn BoardDnd(children: Children) -> impl IntoView {
    use web_sys::wasm_bindgen::JsCast;
    fn closest(target: Option<web_sys::EventTarget>, selector: &str) -> Option<web_sys::Element> {
        target?
            .dyn_into::<web_sys::Element>()
            .ok()?
            .closest(selector)
            .ok()?
    }
    let dragstart = move |ev: web_sys::DragEvent| {
        let card = closest(ev.target(), "[data-card]");
        if let (Some(card), Some(data)) = (card, ev.data_transfer()) {
            let _ = data.set_data(
                "text/plain",
                &card.get_attribute("data-card").unwrap_or_default(),
            );
            data.set_effect_allowed("move");
        }
    };
    let dragover = move |ev: web_sys::DragEvent| {
        if closest(ev.target(), "[data-column]").is_some() {
            ev.prevent_default();
        }
    };
    let drop = move |ev: web_sys::DragEvent| {
        let Some(column) = closest(ev.target(), "[data-column]") else {
            return;
        };
        ev.prevent_default();
        let id = ev
            .data_transfer()
            .and_then(|d| d.get_data("text/plain").ok())
            .unwrap_or_default();
        let status = column.get_attribute("data-column").unwrap_or_default();
        let form = document()
            .get_element_by_id(&format!("move-{id}"))
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
        let select = form
            .as_ref()
            .and_then(|f| f.query_selector("select[name=status]").ok().flatten())
            .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok());
        if let (Some(form), Some(select)) = (form, select)
            && select.value() != status
        {
            select.set_value(&status);
            // A plain submission: the server moves the card and sends the board back.
            let _ = form.submit();
        }
    };
    view! {
        <div on:dragstart=dragstart on:dragover=dragover on:drop=drop>
            {children()}
        </div>
    }
}
