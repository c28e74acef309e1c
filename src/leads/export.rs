//! `GET /o/{org}/leads/export.csv?…`: the current filter as CSV, streamed row by row
//! from the database, so a large export runs in flat memory. Needs `leads.export`;
//! audited before the first row leaves.

use super::model::LeadQuery;
use crate::access::model::Permission;
use crate::error::AppError;
use crate::server::guard::{Access, Tenant};
use crate::server::session::{CurrentUser, RequestMeta};
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use std::collections::HashMap;

/// The export handler.
pub async fn export_csv(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
) -> Response {
    let Some(Extension(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to export leads.").into_response();
    };
    let query = LeadQuery::from_pairs(|k| params.get(k).cloned());
    let ids = match selected(params.get("ids")) {
        Ok(ids) => ids,
        Err(err) => return refusal(err),
    };
    let access = Access::Permission(Permission::LeadsExport);
    let audited = match Tenant::enter_as(&state, &user, &org, access, meta.clone()).await {
        Ok(tenant) => super::db::audit_export(tenant, &query, ids.as_deref()).await,
        Err(e) => Err(e),
    };
    if let Err(err) = audited {
        return refusal(err);
    }
    let tenant = match Tenant::enter_as(&state, &user, &org, access, meta).await {
        Ok(t) => t,
        Err(e) => return refusal(e),
    };
    let (send, receive) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        let failure = send.clone();
        if let Err(err) = super::db::export(tenant, &query, ids, send).await {
            tracing::error!(error = ?err, "lead export failed midway");
            let _ = failure
                .send(Err(std::io::Error::other("export failed")))
                .await;
        }
    });
    // poll_fn over the receiver keeps answering `None` once the export is done; the
    // compression layer polls once more after the end.
    let mut receive = receive;
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receive.poll_recv(cx)
    }));
    let filename = format!("leads-{org}-{}.csv", time::OffsetDateTime::now_utc().date());
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The `ids` of an export of a selection: comma-separated lead ids, at most
/// [`BULK_LIMIT`](super::model::BULK_LIMIT).
fn selected(ids: Option<&String>) -> Result<Option<Vec<uuid::Uuid>>, AppError> {
    let Some(ids) = ids.filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    let damaged = || {
        AppError::field(
            "ids",
            "That export link is damaged. Select the leads again.",
        )
    };
    let ids = ids
        .split(',')
        .map(|id| id.trim().parse::<uuid::Uuid>().map_err(|_| damaged()))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.len() as i64 > super::model::BULK_LIMIT {
        return Err(damaged());
    }
    Ok(Some(ids))
}

fn refusal(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}
