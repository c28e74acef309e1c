//! The SQL of the platform console, run as `revdesk_platform`.

use super::model::{MAX_SUPPORT_MINUTES, OutboxMessage, TenantRow};
use crate::error::AppError;
use crate::server::audit;
use crate::server::session::request_meta_of_current;
use serde_json::json;
use sqlx::{Postgres, Transaction};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

type Tx = Transaction<'static, Postgres>;

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The tenants list, by name.
pub async fn tenants(mut tx: Tx, admin: Uuid) -> Result<Vec<TenantRow>, AppError> {
    let rows = sqlx::query!(
        r#"select o.id, o.name, o.slug, o.status::text as "status!", o.created_at,
                  (select p.name from organization_subscriptions s join subscription_plans p on p.id = s.plan_id
                   where s.organization_id = o.id and s.status in ('trialing', 'active', 'past_due') limit 1) as plan,
                  (select count(*) from organization_members m where m.organization_id = o.id and m.status = 'active') as "members!",
                  (select max(a.created_at) from audit_logs a where a.organization_id = o.id) as last_activity,
                  (select max(s.expires_at) from support_sessions s where s.organization_id = o.id and s.admin_user_id = $1
                       and s.ended_at is null and s.expires_at > now()) as support_until
           from organizations o where o.deleted_at is null
           order by lower(o.name)"#,
        admin
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| TenantRow {
            id: r.id,
            name: r.name,
            slug: r.slug,
            status: r.status,
            plan: r.plan,
            members: r.members,
            created_on: r.created_at.date().to_string(),
            last_activity: r.last_activity.map(rfc3339),
            support_until: r.support_until.map(rfc3339),
        })
        .collect())
}

/// Suspends or reactivates a tenant.
pub async fn set_status(mut tx: Tx, admin: Uuid, org: Uuid, status: &str) -> Result<(), AppError> {
    if status != "active" && status != "suspended" {
        return Err(AppError::field("status", "Choose active or suspended."));
    }
    let before = sqlx::query_scalar!(
        r#"select status::text as "status!" from organizations where id = $1 and deleted_at is null for update"#,
        org
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "update organizations set status = $2::text::organization_status where id = $1",
        org,
        status
    )
    .execute(&mut *tx)
    .await?;
    audit::record_platform(
        &mut tx,
        Some(admin),
        Some(org),
        if status == "active" {
            "tenant.reactivated"
        } else {
            "tenant.suspended"
        },
        json!({ "before": before, "after": status }),
        &request_meta_of_current(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a support session and records it in both audit logs. Returns the tenant's slug.
pub async fn start_support(
    mut tx: Tx,
    admin: Uuid,
    org: Uuid,
    reason: &str,
    minutes: i64,
) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Say why you need access (5 to 500 characters); the tenant's admins will see it.",
        ));
    }
    if !(5..=MAX_SUPPORT_MINUTES).contains(&minutes) {
        return Err(AppError::field(
            "minutes",
            "Choose between 5 minutes and 4 hours.",
        ));
    }
    let slug = sqlx::query_scalar!(
        "select slug from organizations where id = $1 and deleted_at is null",
        org
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into support_sessions (organization_id, id, admin_user_id, reason, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(mins => $5::int))",
        org,
        id,
        admin,
        reason,
        minutes as i32,
    )
    .execute(&mut *tx)
    .await?;
    let meta = request_meta_of_current();
    let detail = json!({ "reason": reason, "minutes": minutes });
    audit::record(
        &mut tx,
        org,
        audit::Actor {
            user_id: Some(admin),
            support_session_id: Some(id),
        },
        &meta,
        audit::Entry {
            action: "support.started",
            entity_type: "support_session",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(detail.clone()),
        },
    )
    .await?;
    audit::record_platform(
        &mut tx,
        Some(admin),
        Some(org),
        "support.started",
        detail,
        &meta,
    )
    .await?;
    tx.commit().await?;
    Ok(slug)
}

/// Ends the admin's open support sessions in a tenant (none open is not an error).
pub async fn end_support(mut tx: Tx, admin: Uuid, org: Uuid) -> Result<(), AppError> {
    let ended = sqlx::query_scalar!(
        "update support_sessions set ended_at = now()
         where organization_id = $1 and admin_user_id = $2 and ended_at is null and expires_at > now()
         returning id",
        org,
        admin
    )
    .fetch_all(&mut *tx)
    .await?;
    // Ending nothing is fine: the session may have expired on its own a moment ago.
    let meta = request_meta_of_current();
    for id in &ended {
        audit::record(
            &mut tx,
            org,
            audit::Actor {
                user_id: Some(admin),
                support_session_id: Some(*id),
            },
            &meta,
            audit::Entry {
                action: "support.ended",
                entity_type: "support_session",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The newest 100 outbox messages.
pub async fn outbox(mut tx: Tx) -> Result<Vec<OutboxMessage>, AppError> {
    let rows = sqlx::query!(
        r#"select id, to_address::text as "to!", subject, body_text, status::text as "status!", attempts,
                  last_error, created_at
           from email_outbox order by created_at desc, id desc limit 100"#
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.id,
            to: r.to,
            subject: r.subject,
            body: r.body_text,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: rfc3339(r.created_at),
        })
        .collect())
}
