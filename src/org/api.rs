//! Server functions of the dashboard, billing overview and partner portal.

use super::model::{Billing, Dashboard, Portal};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::guard::{Access, Tenant};

/// The dashboard of a staff member, counted within their record scope.
#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard(org: String) -> Result<Dashboard, AppError> {
    let tenant = Tenant::enter(&org, Access::Member).await?;
    super::db::dashboard(tenant).await
}

/// The plan, credits and latest invoices.
#[server(endpoint = "load_billing")]
pub async fn load_billing(org: String) -> Result<Billing, AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::BillingRead)).await?;
    super::db::billing(tenant).await
}

/// The partner's own summary. Partners only; row-level security limits every query to
/// their own rows as well.
#[server(endpoint = "load_portal")]
pub async fn load_portal(org: String) -> Result<Portal, AppError> {
    let tenant = Tenant::enter(&org, Access::Partner).await?;
    super::db::portal(tenant).await
}
