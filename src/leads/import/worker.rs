//! The import worker: applies queued imports in batches.
//!
//! An import is claimed with `FOR UPDATE SKIP LOCKED`, so several servers can run the
//! worker side by side without applying a file twice. Each batch runs in one tenant
//! transaction entered as the person who started the import (their membership and
//! `leads.import` are checked again every batch) and commits its leads together with
//! the rows' outcomes and the import's counters: a crash loses at most the batch under
//! way, and the next claim (after the heartbeat goes stale) resumes after the last
//! committed batch.

use super::super::db::{
    Origin, Parsed, insert_lead, journey, parse_form, scoped_form, write_fields,
};
use super::super::model::{LeadForm, LeadSource};
use super::model::{ImportField, ImportMode};
use crate::access::model::Permission;
use crate::error::AppError;
use crate::server::audit::Entry;
use crate::server::guard::{Access, Tenant};
use crate::server::session::RequestMeta;
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Rows applied per transaction.
pub const BATCH: i64 = 250;
/// A running import whose heartbeat is older than this is taken over by another worker.
const STALE: &str = "2 minutes";

/// A claimed import.
struct Job {
    organization_id: Uuid,
    id: Uuid,
    slug: String,
    created_by: Uuid,
}

/// The channel a started import is announced on, in the transaction that queues it.
pub const CHANNEL: &str = "revdesk_import_queued";
/// How long an idle worker that is listening waits before it looks again untold: for a
/// running import whose worker died (taken over once its heartbeat is [`STALE`]).
const IDLE: Duration = Duration::from_secs(30);
/// How often a worker that cannot listen looks for work.
const POLL: Duration = Duration::from_secs(1);

/// Runs forever: applies queued imports one after another; see [`run_with`].
pub async fn run(pool: PgPool) {
    run_with(pool, IDLE).await
}

/// Runs forever: applies queued imports one after another, woken by the notification of
/// a started import (on [`CHANNEL`]) and otherwise looking every `idle`. Every wait
/// begins after a [`drain`] that began after the listener was connected, so an import
/// queued while the worker was not listening (at start, after a lost connection) is
/// found by that drain. Without a listener it looks every second. Errors are logged and
/// retried.
pub async fn run_with(pool: PgPool, idle: Duration) {
    let mut listener: Option<sqlx::postgres::PgListener> = None;
    loop {
        if listener.is_none() {
            listener = match listen(&pool).await {
                Ok(l) => Some(l),
                Err(err) => {
                    tracing::warn!(error = %err, "import worker cannot listen; looking every second");
                    None
                }
            };
        }
        if let Err(err) = drain(&pool).await {
            tracing::warn!(error = %err, "import worker failed; retrying shortly");
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        let Some(l) = listener.as_mut() else {
            tokio::time::sleep(POLL).await;
            continue;
        };
        // Dropping `try_recv` at the timeout loses nothing: sqlx 0.8 reads a message into
        // its buffer and consumes it only once it is whole (`PgStream::recv_unchecked`).
        match tokio::time::timeout(idle, l.try_recv()).await {
            // Told, or time to look untold.
            Ok(Ok(Some(_))) | Err(_) => {}
            // The connection was lost (notifications may have been missed): listen anew,
            // then drain.
            Ok(Ok(None)) => listener = None,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "import notifications interrupted");
                listener = None;
            }
        }
    }
}

async fn listen(pool: &PgPool) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Applies every import that is waiting, then returns how many it finished or stopped.
pub async fn drain(pool: &PgPool) -> Result<usize, AppError> {
    let mut handled = 0;
    while let Some(job) = claim(pool).await? {
        if let Err(err) = apply(pool, &job).await {
            let why = match err {
                AppError::NotFound | AppError::Forbidden | AppError::Suspended => {
                    "The person who started this import can no longer import leads here, so it stopped."
                }
                _ => {
                    tracing::error!(error = ?err, import = %job.id, "an import stopped on an error");
                    "The import stopped because of a server error. Start it again to retry."
                }
            };
            fail(pool, &job, why).await?;
        }
        handled += 1;
    }
    Ok(handled)
}

async fn claim(pool: &PgPool) -> Result<Option<Job>, AppError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let job = sqlx::query_as!(
        Job,
        r#"update lead_imports i
           set status = 'running', started_at = coalesce(i.started_at, now()), heartbeat_at = now()
           from organizations o
           where o.id = i.organization_id
             and (i.organization_id, i.id) = (
                 select q.organization_id, q.id from lead_imports q
                 where q.status = 'queued'
                    or (q.status = 'running' and q.heartbeat_at < now() - $1::text::interval)
                 order by q.created_at
                 limit 1
                 for update skip locked)
           returning i.organization_id, i.id, o.slug, i.created_by"#,
        STALE
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(job)
}

async fn fail(pool: &PgPool, job: &Job, why: &str) -> Result<(), AppError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    sqlx::query!(
        "update lead_imports set status = 'failed', failure = $3, finished_at = now()
         where organization_id = $1 and id = $2",
        job.organization_id,
        job.id,
        why
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What happened to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Skipped,
    Error,
}

impl Outcome {
    fn key(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        }
    }
}

/// The import as one batch sees it, read under the import's row lock.
struct Run {
    status: String,
    mapping: Vec<String>,
    mode: ImportMode,
    dry_run: bool,
    processed_rows: i32,
}

/// Applies the job batch by batch until no row is left.
async fn apply(pool: &PgPool, job: &Job) -> Result<(), AppError> {
    loop {
        let meta = RequestMeta::default();
        let access = Access::Permission(Permission::LeadsImport);
        let mut tenant =
            Tenant::enter_for_job(pool, &job.slug, job.created_by, access, meta).await?;
        let run = sqlx::query_as!(
            Run,
            r#"select status::text as "status!", mapping, mode as "mode: ImportMode", dry_run, processed_rows
               from lead_imports where id = $1 for update"#,
            job.id
        )
        .fetch_one(&mut *tenant.tx)
        .await?;
        if run.status != "running" {
            // Restarted or stopped meanwhile: whoever changed it owns it now.
            return Ok(());
        }
        let fields: Vec<Option<ImportField>> =
            run.mapping.iter().map(|k| ImportField::parse(k)).collect();
        if run.processed_rows == 0 {
            refuse_known_problems(&mut tenant, job.id, &fields).await?;
        }
        let rows = sqlx::query!(
            r#"select line, cells from lead_import_rows
               where import_id = $1 and outcome is null order by line limit $2"#,
            job.id,
            BATCH
        )
        .fetch_all(&mut *tenant.tx)
        .await?;
        let last = (rows.len() as i64) < BATCH;
        let (mut lines, mut outcomes, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            let cells: Vec<String> = serde_json::from_value(row.cells).unwrap_or_default();
            let (outcome, error) = apply_row(&mut tenant, job.id, &fields, &run, &cells).await?;
            lines.push(row.line);
            outcomes.push(outcome.key().to_owned());
            errors.push(error);
        }
        sqlx::query!(
            "update lead_import_rows r set outcome = u.outcome, error = u.error
             from unnest($2::int[], $3::text[], $4::text[]) as u(line, outcome, error)
             where r.import_id = $1 and r.line = u.line",
            job.id,
            &lines,
            &outcomes,
            &errors as &[Option<String>]
        )
        .execute(&mut *tenant.tx)
        .await?;
        let finished = sqlx::query!(
            r#"update lead_imports i
               set processed_rows = c.processed, created_rows = c.created, updated_rows = c.updated,
                   skipped_rows = c.skipped, error_rows = c.errors, heartbeat_at = now(),
                   status = case when $2 then 'done'::lead_import_status else i.status end,
                   finished_at = case when $2 then now() end
               from (select count(*) filter (where outcome is not null)::int as processed,
                            count(*) filter (where outcome = 'created')::int as created,
                            count(*) filter (where outcome = 'updated')::int as updated,
                            count(*) filter (where outcome = 'skipped')::int as skipped,
                            count(*) filter (where outcome = 'error')::int as errors
                     from lead_import_rows where import_id = $1) c
               where i.id = $1
               returning c.created as "created!", c.updated as "updated!", c.skipped as "skipped!",
                         c.errors as "errors!""#,
            job.id,
            last
        )
        .fetch_one(&mut *tenant.tx)
        .await?;
        if last {
            tenant
                .audit(Entry {
                    action: "lead_import.finished",
                    entity_type: "lead_import",
                    entity_id: Some(job.id.to_string()),
                    before: None,
                    after: Some(json!({
                        "dry_run": run.dry_run,
                        "created": finished.created,
                        "updated": finished.updated,
                        "skipped": finished.skipped,
                        "errors": finished.errors,
                    })),
                })
                .await?;
        }
        tenant.commit().await?;
        if last {
            return Ok(());
        }
    }
}

/// Before the first batch: rows that were malformed as uploaded, and rows repeating an
/// email an earlier line of the same file has, are refused with their reason.
async fn refuse_known_problems(
    tenant: &mut Tenant,
    import: Uuid,
    fields: &[Option<ImportField>],
) -> Result<(), AppError> {
    sqlx::query!(
        "update lead_import_rows set outcome = 'error', error = problem
         where import_id = $1 and problem is not null",
        import
    )
    .execute(&mut *tenant.tx)
    .await?;
    let Some(email) = fields.iter().position(|f| *f == Some(ImportField::Email)) else {
        return Ok(());
    };
    sqlx::query!(
        "update lead_import_rows r
         set outcome = 'error', error = 'The same email address is on line ' || d.first_line || ' of this file.'
         from (select line, min(line) over (partition by lower(btrim(cells ->> $2::int))) as first_line
               from lead_import_rows
               where import_id = $1 and outcome is null and btrim(coalesce(cells ->> $2::int, '')) <> '') d
         where r.import_id = $1 and r.line = d.line and d.line <> d.first_line",
        import,
        email as i32
    )
    .execute(&mut *tenant.tx)
    .await?;
    Ok(())
}

/// The cells of a row put into a lead form through the mapping; blank cells stay unset.
fn overlay(form: &mut LeadForm, fields: &[Option<ImportField>], cells: &[String]) {
    for (field, cell) in fields.iter().zip(cells) {
        if let Some(field) = field {
            let value = cell.trim();
            if !value.is_empty() {
                field.set(form, value.to_owned());
            }
        }
    }
}

/// A validation error as one line of the report: `Email: Enter a valid email address.`
fn explain(err: AppError) -> Result<String, AppError> {
    match err {
        AppError::Validation(fields) => Ok(fields
            .into_iter()
            .map(|(field, message)| match ImportField::parse(&field) {
                Some(f) => format!("{}: {message}", f.label()),
                None => message,
            })
            .collect::<Vec<_>>()
            .join(" ")),
        other => Err(other),
    }
}

async fn apply_row(
    tenant: &mut Tenant,
    import: Uuid,
    fields: &[Option<ImportField>],
    run: &Run,
    cells: &[String],
) -> Result<(Outcome, Option<String>), AppError> {
    let mut form = LeadForm::default();
    overlay(&mut form, fields, cells);
    let parsed = match parse_form(&form) {
        Ok(p) => p,
        Err(e) => return Ok((Outcome::Error, Some(explain(e)?))),
    };
    let existing = match &parsed.email {
        Some(email) => existing_lead(tenant, email).await?,
        None => None,
    };
    match (existing, run.mode) {
        (None, _) => {
            if !run.dry_run && !insert(tenant, import, &parsed).await? {
                return Ok((
                    Outcome::Skipped,
                    Some("A lead with this email was added meanwhile.".into()),
                ));
            }
            Ok((Outcome::Created, None))
        }
        (Some(_), ImportMode::Create) => Ok((
            Outcome::Skipped,
            Some("A lead with this email address already exists.".into()),
        )),
        (Some(id), ImportMode::Upsert) => {
            // Updated through the same record scope as an edit from the lead's page.
            let mut current = match scoped_form(tenant, id).await {
                Ok(form) => form,
                Err(AppError::NotFound) => {
                    return Ok((
                        Outcome::Skipped,
                        Some("A lead with this email exists but is not one you may change.".into()),
                    ));
                }
                Err(e) => return Err(e),
            };
            overlay(&mut current, fields, cells);
            let merged = match parse_form(&current) {
                Ok(p) => p,
                Err(e) => return Ok((Outcome::Error, Some(explain(e)?))),
            };
            if !run.dry_run {
                update(tenant, import, id, &merged).await?;
            }
            Ok((Outcome::Updated, None))
        }
    }
}

/// The lead with this email (the import's match key), if there is one.
async fn existing_lead(tenant: &mut Tenant, email: &str) -> Result<Option<Uuid>, AppError> {
    let id = sqlx::query_scalar!(
        "select id from leads where email = $1::text::citext and deleted_at is null",
        email
    )
    .fetch_optional(&mut *tenant.tx)
    .await?;
    Ok(id)
}

/// Creates an unassigned lead from a row; false when its email was taken meanwhile.
async fn insert(tenant: &mut Tenant, import: Uuid, p: &Parsed) -> Result<bool, AppError> {
    let id = Uuid::now_v7();
    let origin = Origin {
        source: LeadSource::Import,
        assignee: None,
        team: None,
    };
    let inserted = insert_lead(tenant, id, p, &origin).await?;
    if inserted {
        touched(tenant, id, json!({ "import": import })).await?;
    }
    Ok(inserted)
}

/// Updates a lead from a row merged over its current fields (an edit: version bumped).
async fn update(tenant: &mut Tenant, import: Uuid, id: Uuid, p: &Parsed) -> Result<(), AppError> {
    write_fields(tenant, id, p).await?;
    touched(tenant, id, json!({ "import": import, "updated": true })).await
}

/// The lead's journey records the import, and its score follows the new fields.
async fn touched(tenant: &mut Tenant, id: Uuid, detail: serde_json::Value) -> Result<(), AppError> {
    journey(tenant, id, "imported", detail).await?;
    super::super::scoring::recompute(tenant, id).await?;
    Ok(())
}
