//! Audit entries: who did what, written in the same transaction as what they did.

use super::session::RequestMeta;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// One entry of an organization's audit log.
#[derive(Debug)]
pub struct Entry<'a> {
    /// What happened, `entity.verb` (`member.role_changed`).
    pub action: &'a str,
    /// The kind of thing it happened to (`member`, `invitation`).
    pub entity_type: &'a str,
    /// Which one.
    pub entity_id: Option<String>,
    /// The state before, for changes.
    pub before: Option<Value>,
    /// The state after, or the detail of a denial.
    pub after: Option<Value>,
}

/// Who acted.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    /// The signed-in user.
    pub user_id: Option<Uuid>,
    /// Set when a platform admin acted through a support session.
    pub support_session_id: Option<Uuid>,
}

/// Appends to `audit_logs` of `organization_id` on the caller's connection, so it
/// commits or rolls back with the change it describes.
pub async fn record(
    conn: &mut PgConnection,
    organization_id: Uuid,
    actor: Actor,
    meta: &RequestMeta,
    entry: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into audit_logs (organization_id, id, actor_user_id, support_session_id, action, entity_type,
                                 entity_id, before, after, ip, user_agent, request_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::inet, $11, $12)",
        organization_id,
        Uuid::now_v7(),
        actor.user_id,
        actor.support_session_id,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.before,
        entry.after,
        meta.ip.map(|ip| ip.to_string()),
        meta.user_agent,
        meta.request_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends to `platform_audit_logs`: events outside any one organization (sign-in
/// attempts, platform admin actions).
pub async fn record_platform(
    conn: &mut PgConnection,
    actor_user_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    action: &str,
    detail: Value,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into platform_audit_logs (id, actor_user_id, organization_id, action, detail, ip, user_agent, request_id)
         values ($1, $2, $3, $4, $5, $6::text::inet, $7, $8)",
        Uuid::now_v7(),
        actor_user_id,
        organization_id,
        action,
        detail,
        meta.ip.map(|ip| ip.to_string()),
        meta.user_agent,
        meta.request_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}
