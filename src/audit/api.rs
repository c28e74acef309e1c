//! Server functions of the audit log.

use super::model::{AuditPage, AuditQuery};
use crate::error::AppError;
use leptos::prelude::*;

/// One page of the organization's audit log, filtered, newest first.
#[server(endpoint = "load_audit")]
pub async fn load_audit(
    org: String,
    #[server(default)] query: AuditQuery,
) -> Result<AuditPage, AppError> {
    use crate::access::model::Permission;
    use crate::server::guard::{Access, Tenant};
    let tenant = Tenant::enter(&org, Access::Permission(Permission::AuditRead)).await?;
    super::db::page(tenant, &query).await
}
