//! The SQL of CSV import: staging an upload, the pages' reads, starting a run, and the
//! error report. The worker's batches are in `worker.rs`.

use super::model::{
    ImportDetail, ImportField, ImportMode, ImportStatus, ImportSummary, SAMPLE_ROWS, parse_mapping,
};
use crate::error::AppError;
use crate::server::audit::Entry;
use crate::server::guard::Tenant;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::format_description;
use uuid::Uuid;

/// Rows staged per insert while an upload streams in.
pub const STAGE_BATCH: usize = 1_000;

fn when(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

struct SummaryRow {
    id: Uuid,
    filename: String,
    created_by: String,
    created_at: OffsetDateTime,
    status: ImportStatus,
    mode: ImportMode,
    dry_run: bool,
    total_rows: i32,
    processed_rows: i32,
    created_rows: i32,
    updated_rows: i32,
    skipped_rows: i32,
    error_rows: i32,
    failure: Option<String>,
}

impl From<SummaryRow> for ImportSummary {
    fn from(r: SummaryRow) -> ImportSummary {
        ImportSummary {
            id: r.id,
            filename: r.filename,
            created_by: r.created_by,
            created_at: when(r.created_at),
            status: r.status,
            mode: r.mode,
            dry_run: r.dry_run,
            total: r.total_rows,
            processed: r.processed_rows,
            created: r.created_rows,
            updated: r.updated_rows,
            skipped: r.skipped_rows,
            errors: r.error_rows,
            failure: r.failure,
        }
    }
}

/// The organization's latest imports, newest first.
pub async fn list(mut tenant: Tenant) -> Result<Vec<ImportSummary>, AppError> {
    let rows = sqlx::query_as!(
        SummaryRow,
        r#"select i.id, i.filename, u.name as created_by, i.created_at, i.status as "status: ImportStatus",
                  i.mode as "mode: ImportMode", i.dry_run, i.total_rows, i.processed_rows, i.created_rows,
                  i.updated_rows, i.skipped_rows, i.error_rows, i.failure
           from lead_imports i join users u on u.id = i.created_by
           order by i.created_at desc
           limit 20"#
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    tenant.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn summary(tenant: &mut Tenant, id: Uuid) -> Result<ImportSummary, AppError> {
    let row = sqlx::query_as!(
        SummaryRow,
        r#"select i.id, i.filename, u.name as created_by, i.created_at, i.status as "status: ImportStatus",
                  i.mode as "mode: ImportMode", i.dry_run, i.total_rows, i.processed_rows, i.created_rows,
                  i.updated_rows, i.skipped_rows, i.error_rows, i.failure
           from lead_imports i join users u on u.id = i.created_by
           where i.id = $1"#,
        id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(row.into())
}

fn strings(cells: serde_json::Value) -> Vec<String> {
    match cells {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// One import with its header, samples, proposed mapping and first refused rows.
pub async fn detail(mut tenant: Tenant, id: Uuid) -> Result<ImportDetail, AppError> {
    let summary = summary(&mut tenant, id).await?;
    let stored = sqlx::query!("select header, mapping from lead_imports where id = $1", id)
        .fetch_one(&mut *tenant.tx)
        .await?;
    let mapping = if stored.mapping.is_empty() {
        propose(&mut tenant, &stored.header).await?
    } else {
        stored.mapping
    };
    let samples = sqlx::query_scalar!(
        "select cells from lead_import_rows where import_id = $1 order by line limit $2",
        id,
        SAMPLE_ROWS as i64
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(strings)
    .collect();
    let errors = sqlx::query!(
        r#"select line, error as "error!" from lead_import_rows
           where import_id = $1 and outcome = 'error' order by line limit 10"#,
        id
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| (r.line, r.error))
    .collect();
    tenant.commit().await?;
    Ok(ImportDetail {
        summary,
        header: stored.header,
        mapping,
        samples,
        errors,
    })
}

/// Per column: the field this organization mapped that header to last time, or a guess.
async fn propose(tenant: &mut Tenant, header: &[String]) -> Result<Vec<String>, AppError> {
    let remembered = sqlx::query!(
        "select header::text as \"header!\", field from lead_import_mappings where header = any($1::text[]::citext[])",
        header
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let mut taken = Vec::new();
    Ok(header
        .iter()
        .map(|h| {
            let field = remembered
                .iter()
                .find(|r| r.header.eq_ignore_ascii_case(h))
                .map(|r| r.field.clone())
                .unwrap_or_else(|| {
                    ImportField::guess(h)
                        .map(|f| f.key().to_owned())
                        .unwrap_or_default()
                });
            // A second column guessed as the same field is left for the person to map.
            if !field.is_empty() && taken.contains(&field) {
                return String::new();
            }
            taken.push(field.clone());
            field
        })
        .collect())
}

/// Starts an import staged with a header; returns its id.
pub async fn create(
    tenant: &mut Tenant,
    filename: &str,
    header: &[String],
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into lead_imports (organization_id, id, created_by, filename, header) values ($1, $2, $3, $4, $5)",
        tenant.org.id,
        id,
        tenant.actor.user_id,
        filename,
        header
    )
    .execute(&mut *tenant.tx)
    .await?;
    Ok(id)
}

/// A staged row: its line, its cells, and what was wrong with it as uploaded.
pub struct StagedRow {
    /// The line in the file.
    pub line: i32,
    /// The cells.
    pub cells: Vec<String>,
    /// Why it cannot be imported whatever the mapping (ragged, a cell too long).
    pub problem: Option<String>,
}

/// Stages a batch of rows of an import.
pub async fn stage(tenant: &mut Tenant, import: Uuid, rows: &[StagedRow]) -> Result<(), AppError> {
    let lines: Vec<i32> = rows.iter().map(|r| r.line).collect();
    let cells: Vec<serde_json::Value> = rows.iter().map(|r| json!(r.cells)).collect();
    let problems: Vec<Option<String>> = rows.iter().map(|r| r.problem.clone()).collect();
    sqlx::query!(
        "insert into lead_import_rows (organization_id, import_id, line, cells, problem)
         select $1, $2, r.line, r.cells, r.problem
         from unnest($3::int[], $4::jsonb[], $5::text[]) as r(line, cells, problem)",
        tenant.org.id,
        import,
        &lines,
        &cells,
        &problems as &[Option<String>],
    )
    .execute(&mut *tenant.tx)
    .await?;
    Ok(())
}

/// Records the number of staged rows and audits the upload.
pub async fn finish_upload(
    mut tenant: Tenant,
    import: Uuid,
    filename: &str,
    rows: i32,
) -> Result<(), AppError> {
    sqlx::query!(
        "update lead_imports set total_rows = $2 where id = $1",
        import,
        rows
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "lead_import.uploaded",
            entity_type: "lead_import",
            entity_id: Some(import.to_string()),
            before: None,
            after: Some(json!({ "filename": filename, "rows": rows })),
        })
        .await?;
    tenant.commit().await
}

/// Queues a run (a dry run, or the real one) with the chosen mapping and mode, and
/// remembers the mapping for the organization's next file with these headers. A
/// finished real run cannot be repeated; anything else starts over from the first row.
pub async fn start(
    mut tenant: Tenant,
    id: Uuid,
    chosen: &[String],
    mode: ImportMode,
    dry_run: bool,
) -> Result<(), AppError> {
    let current = sqlx::query!(
        r#"select status as "status: ImportStatus", dry_run, header from lead_imports where id = $1 for update"#,
        id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    match current.status {
        ImportStatus::Queued | ImportStatus::Running => {
            return Err(AppError::Conflict(
                "This import is already running. Wait for it to finish.".into(),
            ));
        }
        ImportStatus::Done if !current.dry_run => {
            return Err(AppError::Conflict(
                "This file has already been imported. Upload it again to import it once more."
                    .into(),
            ));
        }
        _ => {}
    }
    let fields = parse_mapping(current.header.len(), chosen, mode)
        .map_err(|m| AppError::field("mapping", m))?;
    let mapping: Vec<String> = fields
        .iter()
        .map(|f| f.map(|f| f.key().to_owned()).unwrap_or_default())
        .collect();
    sqlx::query!(
        "update lead_import_rows set outcome = null, error = null where import_id = $1 and outcome is not null",
        id
    )
    .execute(&mut *tenant.tx)
    .await?;
    sqlx::query!(
        "update lead_imports
         set status = 'queued', mapping = $2, mode = $3, dry_run = $4, processed_rows = 0, created_rows = 0,
             updated_rows = 0, skipped_rows = 0, error_rows = 0, failure = null, started_at = null,
             finished_at = null, heartbeat_at = null
         where id = $1",
        id,
        &mapping,
        mode as ImportMode,
        dry_run
    )
    .execute(&mut *tenant.tx)
    .await?;
    // Wakes the workers when this commits (PostgreSQL delivers notifications on commit).
    sqlx::query("select pg_notify($1, '')")
        .bind(super::worker::CHANNEL)
        .execute(&mut *tenant.tx)
        .await?;
    sqlx::query!(
        "insert into lead_import_mappings (organization_id, header, field)
         select $1, h, f from unnest($2::text[], $3::text[]) as m(h, f)
         on conflict (organization_id, header) do update set field = excluded.field",
        tenant.org.id,
        &current.header,
        &mapping
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "lead_import.started",
            entity_type: "lead_import",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "dry_run": dry_run, "mode": mode, "mapping": mapping })),
        })
        .await?;
    tenant.commit().await
}

/// The refused rows of an import, for the error report: the header, then per row its
/// line, the reason and its cells.
pub async fn error_rows(
    mut tenant: Tenant,
    id: Uuid,
    send: tokio::sync::mpsc::Sender<Result<String, std::io::Error>>,
) -> Result<(), AppError> {
    use futures_util::TryStreamExt;
    let header = sqlx::query_scalar!("select header from lead_imports where id = $1", id)
        .fetch_optional(&mut *tenant.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    tenant
        .audit(Entry {
            action: "lead_import.report_downloaded",
            entity_type: "lead_import",
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        })
        .await?;
    let mut first: Vec<&str> = vec!["line", "error"];
    first.extend(header.iter().map(String::as_str));
    if send
        .send(Ok(crate::leads::csv::line(&first)))
        .await
        .is_err()
    {
        return Ok(());
    }
    let mut rows = sqlx::query!(
        r#"select line, error as "error!", cells from lead_import_rows
           where import_id = $1 and outcome = 'error' order by line"#,
        id
    )
    .fetch(&mut *tenant.tx);
    while let Some(row) = rows.try_next().await? {
        let line = row.line.to_string();
        let cells = strings(row.cells);
        let mut out: Vec<&str> = vec![&line, &row.error];
        out.extend(cells.iter().map(String::as_str));
        if send.send(Ok(crate::leads::csv::line(&out))).await.is_err() {
            break;
        }
    }
    drop(rows);
    tenant.commit().await
}
