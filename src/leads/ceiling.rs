//! The benchmark's ceiling (`revdesk bench-ceiling`): the leads list and the lead
//! detail served by bare axum handlers that run the same queries as the application
//! (the guard's membership check, then the same list or detail queries) and write the
//! same rows as plain HTML, with no session, no Leptos rendering and no middleware. It
//! keeps match counts exactly as the application does (its own [`CountCache`], kept
//! current by its own listener), so both run the same queries. What the application does
//! on top of this is what `make bench` compares against.

use super::counts::{self, CountCache};
use super::model::{LeadDetail, LeadPage, LeadQuery};
use crate::access::model::Permission;
use crate::error::AppError;
use crate::server::guard::{Access, Tenant};
use crate::server::session::RequestMeta;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use sqlx::PgPool;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone)]
struct Ceiling {
    pool: PgPool,
    user: Uuid,
    counts: Arc<CountCache>,
}

/// The ceiling's router, acting as `user` (by id) in whichever organization is asked.
/// Spawns the listener that keeps its counts current.
pub fn router(pool: PgPool, user: Uuid) -> Router {
    let counts = Arc::new(CountCache::default());
    tokio::spawn(counts::listen(pool.clone(), counts.clone()));
    Router::new()
        .route("/o/{org}/leads", get(list))
        .route("/o/{org}/leads/{id}", get(detail))
        .with_state(Ceiling { pool, user, counts })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::ui::html::push_escaped(&mut out, text);
    out
}

fn failure(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}

async fn enter(state: &Ceiling, org: &str) -> Result<Tenant, AppError> {
    let access = Access::Permission(Permission::LeadsRead);
    Tenant::enter_for_job(&state.pool, org, state.user, access, RequestMeta::default()).await
}

async fn list(
    State(state): State<Ceiling>,
    Path(org): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = LeadQuery::from_pairs(|k| params.get(k).cloned());
    let page = match enter(&state, &org).await {
        Ok(tenant) => super::db::list(tenant, &query, Some(&state.counts)).await,
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => Html(render_list(&page)).into_response(),
        Err(e) => failure(e),
    }
}

fn render_list(page: &LeadPage) -> String {
    let mut html = String::with_capacity(16 * 1024);
    html.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Leads</title></head><body>");
    let _ = write!(
        html,
        "<p role=\"status\">{}</p><table><tbody>",
        page.count.label()
    );
    for r in &page.rows {
        let _ = write!(
            html,
            "<tr><td><a href=\"leads/{}\">{}</a><div>{}</div></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.id,
            escape(&r.name),
            escape(r.email.as_deref().unwrap_or("")),
            escape(r.company.as_deref().unwrap_or("")),
            r.status.label(),
            r.score,
            r.value.as_ref().map(|v| v.display()).unwrap_or_default(),
            escape(r.assignee.as_deref().unwrap_or("—")),
            r.follow_up_on.as_deref().unwrap_or(""),
            r.created_on,
        );
    }
    html.push_str("</tbody></table>");
    for (label, cursor) in [("Previous", &page.prev), ("Next", &page.next)] {
        if let Some(c) = cursor {
            let _ = write!(html, "<a href=\"?after={}\">{label}</a>", escape(c));
        }
    }
    html.push_str("</body></html>");
    html
}

async fn detail(State(state): State<Ceiling>, Path((org, id)): Path<(String, Uuid)>) -> Response {
    let lead = match enter(&state, &org).await {
        Ok(tenant) => super::db::detail(tenant, id).await,
        Err(e) => Err(e),
    };
    match lead {
        Ok(lead) => Html(render_detail(&lead)).into_response(),
        Err(e) => failure(e),
    }
}

fn render_detail(lead: &LeadDetail) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head><body><h1>{name}</h1><p>{} · score {}</p>",
        lead.status.label(),
        lead.score,
        name = escape(&format!("{} {}", lead.form.first_name, lead.form.last_name)),
    );
    if let Some(e) = &lead.explanation {
        html.push_str("<ul>");
        for f in &e.factors {
            let _ = write!(html, "<li>{}</li>", escape(f));
        }
        html.push_str("</ul>");
    }
    html.push_str("<ol>");
    for item in &lead.timeline {
        let _ = write!(
            html,
            "<li>{} {}</li>",
            escape(&item.title),
            escape(&item.at)
        );
    }
    html.push_str("</ol></body></html>");
    html
}
