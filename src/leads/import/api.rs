//! Server functions of CSV import: the imports list, one import, and starting a run.
//! The upload itself is a plain multipart handler (`upload.rs`).

use super::model::{ImportDetail, ImportMode, ImportSummary};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::access::model::Permission;
#[cfg(feature = "ssr")]
use crate::server::guard::{Access, Tenant};

/// The organization's latest imports.
#[server(endpoint = "load_lead_imports")]
pub async fn load_lead_imports(org: String) -> Result<Vec<ImportSummary>, AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsImport)).await?;
    super::db::list(tenant).await
}

/// One import: its progress, or its mapping step.
#[server(endpoint = "load_lead_import")]
pub async fn load_lead_import(org: String, id: Uuid) -> Result<ImportDetail, AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsImport)).await?;
    super::db::detail(tenant, id).await
}

/// Queues a run of an uploaded file with the chosen mapping (one field key per column,
/// '' for a column not imported): `run=dry` reports what would happen, `run=apply`
/// imports. The worker picks it up within a second.
#[server(endpoint = "start_lead_import")]
pub async fn start_lead_import(
    org: String,
    id: Uuid,
    #[server(default)] mapping: Vec<String>,
    mode: ImportMode,
    run: String,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsImport)).await?;
    let dry_run = match run.as_str() {
        "dry" => true,
        "apply" => false,
        _ => return Err(AppError::field("run", "Choose a dry run or the import.")),
    };
    super::db::start(tenant, id, &mapping, mode, dry_run).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/import/{id}"));
    Ok(())
}
