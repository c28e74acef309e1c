//! The audit log query: filtered, keyset-paginated on (created_at, id).

use super::model::{AuditEntry, AuditPage, AuditQuery, PAGE_SIZE};
use crate::error::AppError;
use crate::server::guard::Tenant;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

fn day(text: Option<&str>, field: &str) -> Result<Option<OffsetDateTime>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(t, &format)
                .map(|d| Some(d.midnight().assume_utc()))
                .map_err(|_| AppError::field(field, "Enter a date as YYYY-MM-DD."))
        }
    }
}

/// `created_at` and `id` of the last entry of a page, as one opaque string.
fn cursor(at: OffsetDateTime, id: Uuid) -> String {
    format!("{}~{id}", at.format(&Rfc3339).unwrap_or_default())
}

fn parse_cursor(text: Option<&str>) -> Result<Option<(OffsetDateTime, Uuid)>, AppError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        AppError::field(
            "before",
            "That page link is damaged. Start from the first page.",
        )
    };
    let (at, id) = text.split_once('~').ok_or_else(bad)?;
    Ok(Some((
        OffsetDateTime::parse(at, &Rfc3339).map_err(|_| bad())?,
        Uuid::parse_str(id).map_err(|_| bad())?,
    )))
}

fn filter(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(200).collect())
}

/// One page of entries matching `query`.
pub async fn page(mut tenant: Tenant, query: &AuditQuery) -> Result<AuditPage, AppError> {
    let from = day(query.from.as_deref(), "from")?;
    let to = day(query.to.as_deref(), "to")?.map(|d| d + time::Duration::days(1));
    let before = parse_cursor(query.before.as_deref())?;
    let rows = sqlx::query!(
        r#"select a.id, a.created_at, u.email::text as "actor?", a.support_session_id is not null as "support!",
                  a.action, a.entity_type, a.entity_id, a.before::text as before, a.after::text as after, host(a.ip) as ip
           from audit_logs a left join users u on u.id = a.actor_user_id
           where ($1::text is null or strpos(lower(u.email::text), lower($1)) > 0)
             and ($2::text is null or a.action = $2 or a.action like $2 || '.%')
             and ($3::text is null or a.entity_type = $3)
             and ($4::timestamptz is null or a.created_at >= $4)
             and ($5::timestamptz is null or a.created_at < $5)
             and ($6::timestamptz is null or (a.created_at, a.id) < ($6, $7::uuid))
           order by a.created_at desc, a.id desc
           limit $8"#,
        filter(&query.actor),
        filter(&query.action),
        filter(&query.entity),
        from,
        to,
        before.map(|b| b.0),
        before.map(|b| b.1),
        PAGE_SIZE + 1,
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    tenant.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| AuditEntry {
            id: r.id,
            at: r.created_at.format(&Rfc3339).unwrap_or_default(),
            actor: r.actor,
            via_support: r.support,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            ip: r.ip,
        })
        .collect();
    let next = if more {
        entries.last().and_then(|e| {
            OffsetDateTime::parse(&e.at, &Rfc3339)
                .ok()
                .map(|at| cursor(at, e.id))
        })
    } else {
        None
    };
    Ok(AuditPage { entries, next })
}
