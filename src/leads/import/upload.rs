//! The two HTTP handlers of CSV import that are not server functions: the upload
//! (`POST /o/{org}/leads/import`, `multipart/form-data`) and the error report
//! (`GET /o/{org}/leads/import/{id}/errors.csv`).
//!
//! The upload is parsed as it arrives: the multipart body streams through the CSV
//! reader, and rows are staged in batches of [`STAGE_BATCH`], so memory stays flat
//! whatever the file's size. Nothing is written to `leads` here; the mapping step
//! decides what the columns mean.

use super::db::{STAGE_BATCH, StagedRow};
use super::model::{MAX_BYTES, MAX_CELL, MAX_COLUMNS, MAX_ROWS};
use crate::access::model::{Permission, org_href};
use crate::error::AppError;
use crate::server::guard::{Access, Tenant};
use crate::server::session::{CurrentUser, RequestMeta};
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::{StreamExt, TryStreamExt};
use http::{HeaderValue, StatusCode, header};
use uuid::Uuid;

/// Why an upload was refused: the `error` code the import page explains.
#[derive(Debug)]
enum Refused {
    Code(&'static str),
    App(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::App(e)
    }
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Refused {
        Refused::App(e.into())
    }
}

fn refusal(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}

/// `POST /o/{org}/leads/import`: stages the file, then opens its mapping step.
pub async fn upload(
    State(state): State<AppState>,
    Path(org): Path<String>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(Extension(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to import leads.").into_response();
    };
    let access = Access::Permission(Permission::LeadsImport);
    let tenant = match Tenant::enter_as(&state, &user, &org, access, meta).await {
        Ok(t) => t,
        Err(e) => return refusal(e),
    };
    let page = org_href(&org, "leads/import");
    let Ok(multipart) = multipart else {
        return Redirect::to(&format!("{page}?error=missing")).into_response();
    };
    match stage(tenant, multipart).await {
        Ok(id) => Redirect::to(&format!("{page}/{id}")).into_response(),
        Err(Refused::Code(code)) => Redirect::to(&format!("{page}?error={code}")).into_response(),
        Err(Refused::App(err)) => {
            tracing::error!(error = ?err, "an upload failed");
            refusal(err)
        }
    }
}

/// A file name fit to show: its last path segment, printable, at most 200 characters.
fn clean_filename(name: Option<&str>) -> String {
    let name = name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    if name.trim().is_empty() {
        "leads.csv".to_owned()
    } else {
        name
    }
}

/// The header row: trimmed names, none blank, each once (ignoring case).
fn parse_header(record: &csv_async::ByteRecord) -> Result<Vec<String>, Refused> {
    if record.len() > MAX_COLUMNS {
        return Err(Refused::Code("too_many_columns"));
    }
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| Refused::Code("not_csv"))?;
        let text = if i == 0 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        let name = text.trim();
        if name.is_empty()
            || name.chars().count() > 200
            || names.iter().any(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(Refused::Code("bad_header"));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// One data row (the `line`-th record, counting the header as 1, as a spreadsheet
/// numbers its rows): its cells, and what makes it unusable whatever the mapping.
fn parse_row(
    record: &csv_async::ByteRecord,
    line: i32,
    columns: usize,
) -> Result<StagedRow, Refused> {
    let mut cells = Vec::with_capacity(record.len());
    let mut problem = None;
    for (i, raw) in record.iter().enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| Refused::Code("not_csv"))?;
        if text.chars().count() > MAX_CELL {
            problem.get_or_insert(format!(
                "Column {} is longer than {MAX_CELL} characters.",
                i + 1
            ));
            cells.push(text.chars().take(MAX_CELL).collect());
        } else {
            cells.push(text.to_owned());
        }
    }
    if record.len() != columns {
        problem = Some(format!(
            "This row has {} cells; the header has {columns}.",
            record.len()
        ));
    }
    Ok(StagedRow {
        line,
        cells,
        problem,
    })
}

async fn stage(mut tenant: Tenant, mut multipart: Multipart) -> Result<Uuid, Refused> {
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break field,
            Ok(Some(_)) => continue,
            Ok(None) => return Err(Refused::Code("missing")),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Refused::Code("too_large"));
            }
            Err(_) => return Err(Refused::Code("not_csv")),
        }
    };
    let filename = clean_filename(field.file_name());
    // Count what arrives, so a body that lies about its length still stops at the limit.
    let mut received = 0usize;
    let bytes = field
        .map(move |chunk| {
            let chunk = chunk.map_err(|e| {
                let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                std::io::Error::other(if too_large { "too_large" } else { "not_csv" })
            })?;
            received += chunk.len();
            if received > MAX_BYTES {
                return Err(std::io::Error::other("too_large"));
            }
            Ok(chunk)
        })
        .boxed();
    let reader = tokio_util::io::StreamReader::new(bytes);
    let mut csv = csv_async::AsyncReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .create_reader(reader);
    let mut records = csv.byte_records();
    let read_failure = |e: csv_async::Error| match e.kind() {
        csv_async::ErrorKind::Io(io) if io.to_string() == "too_large" => Refused::Code("too_large"),
        _ => Refused::Code("not_csv"),
    };
    let header = match records.try_next().await.map_err(read_failure)? {
        Some(record) => parse_header(&record)?,
        None => return Err(Refused::Code("empty")),
    };
    let id = super::db::create(&mut tenant, &filename, &header).await?;
    let (mut batch, mut rows, mut line) = (Vec::with_capacity(STAGE_BATCH), 0usize, 1i32);
    while let Some(record) = records.try_next().await.map_err(read_failure)? {
        line += 1;
        if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        rows += 1;
        if rows > MAX_ROWS {
            return Err(Refused::Code("too_many_rows"));
        }
        batch.push(parse_row(&record, line, header.len())?);
        if batch.len() == STAGE_BATCH {
            super::db::stage(&mut tenant, id, &batch).await?;
            batch.clear();
        }
    }
    if rows == 0 {
        return Err(Refused::Code("empty"));
    }
    if !batch.is_empty() {
        super::db::stage(&mut tenant, id, &batch).await?;
    }
    super::db::finish_upload(tenant, id, &filename, rows as i32).await?;
    Ok(id)
}

/// `GET /o/{org}/leads/import/{id}/errors.csv`: the refused rows with their reasons,
/// streamed. Needs `leads.import`, like the import itself; audited.
pub async fn error_report(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
) -> Response {
    let Some(Extension(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to download the report.").into_response();
    };
    let access = Access::Permission(Permission::LeadsImport);
    let tenant = match Tenant::enter_as(&state, &user, &org, access, meta).await {
        Ok(t) => t,
        Err(e) => return refusal(e),
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return refusal(AppError::NotFound);
    };
    let (send, mut receive) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(async move {
        let result = super::db::error_rows(tenant, id, send.clone()).await;
        if let Err(err) = &result {
            if !matches!(err, AppError::NotFound) {
                tracing::error!(error = ?err, "an error report failed");
            }
            // Fails the download instead of ending it as if it were complete.
            let _ = send.send(Err(std::io::Error::other("report failed"))).await;
        }
        result
    });
    // The header line comes only once the import is found, so a foreign or unknown id
    // answers 404 rather than an empty file.
    let first = match receive.recv().await {
        Some(Ok(line)) => line,
        _ => {
            let err = match task.await {
                Ok(Err(e)) => e,
                _ => AppError::Internal,
            };
            return refusal(err);
        }
    };
    let rest = futures_util::stream::poll_fn(move |cx| receive.poll_recv(cx));
    let body = Body::from_stream(futures_util::stream::once(async move { Ok(first) }).chain(rest));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"import-errors-{id}.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
