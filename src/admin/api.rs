//! Server functions of the platform console. Platform admins only; every change is in
//! the platform audit log, and support sessions in the tenant's own log too.

use super::model::{OutboxMessage, TenantRow};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// Every tenant with plan, status, members, created and last activity.
#[server(endpoint = "load_tenants")]
pub async fn load_tenants() -> Result<Vec<TenantRow>, AppError> {
    let (user, tx) = crate::server::guard::enter_platform().await?;
    super::db::tenants(tx, user.viewer.id).await
}

/// Suspends (`suspended`) or reactivates (`active`) a tenant.
#[server(endpoint = "set_tenant_status")]
pub async fn set_tenant_status(organization_id: Uuid, status: String) -> Result<(), AppError> {
    let (user, tx) = crate::server::guard::enter_platform().await?;
    super::db::set_status(tx, user.viewer.id, organization_id, &status).await?;
    leptos_axum::redirect(&format!("/admin?notice={status}"));
    Ok(())
}

/// Opens a time-limited, read-only support session into a tenant, with a reason.
#[server(endpoint = "start_support_session")]
pub async fn start_support_session(
    organization_id: Uuid,
    reason: String,
    minutes: i64,
) -> Result<(), AppError> {
    let (user, tx) = crate::server::guard::enter_platform().await?;
    let slug =
        super::db::start_support(tx, user.viewer.id, organization_id, &reason, minutes).await?;
    crate::server::session::AuthSession::current()?
        .rotate()
        .await?;
    leptos_axum::redirect(&format!("/o/{slug}"));
    Ok(())
}

/// Ends the viewer's support session in a tenant before it expires.
#[server(endpoint = "end_support_session")]
pub async fn end_support_session(organization_id: Uuid) -> Result<(), AppError> {
    let (user, tx) = crate::server::guard::enter_platform().await?;
    super::db::end_support(tx, user.viewer.id, organization_id).await?;
    leptos_axum::redirect("/admin?notice=support_ended");
    Ok(())
}

/// The newest 100 messages of the email outbox (where mail waits when no SMTP server is
/// configured, and where delivery errors show).
#[server(endpoint = "load_outbox")]
pub async fn load_outbox() -> Result<Vec<OutboxMessage>, AppError> {
    let (_, tx) = crate::server::guard::enter_platform().await?;
    super::db::outbox(tx).await
}
