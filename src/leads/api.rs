//! Server functions of the leads pipeline: guard first (with the permission each needs),
//! then one tenant transaction with its audit entry.

use super::model::{BoardColumn, BulkForm, LeadDetail, LeadForm, LeadPage, LeadQuery};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::access::model::{Permission, org_href, with_query};
#[cfg(feature = "ssr")]
use crate::server::guard::{Access, Tenant};

/// One page of the leads list, within the caller's record scope.
#[server(endpoint = "load_leads")]
pub async fn load_leads(
    org: String,
    #[server(default)] query: LeadQuery,
) -> Result<LeadPage, AppError> {
    // Contexts before the first await: a request the client abandons disposes of its
    // reactive owner, and a context read after an await then panics.
    let state = leptos::prelude::expect_context::<crate::server::state::AppState>();
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsRead)).await?;
    super::db::list(tenant, &query, Some(&state.counts)).await
}

/// One lead with its timeline; outside the caller's scope it does not exist.
#[server(endpoint = "load_lead")]
pub async fn load_lead(org: String, id: Uuid) -> Result<LeadDetail, AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsRead)).await?;
    super::db::detail(tenant, id).await
}

/// Checks that the caller may create leads (the new-lead page asks before showing the
/// form).
#[server(endpoint = "load_new_lead")]
pub async fn load_new_lead(org: String) -> Result<(), AppError> {
    Tenant::enter(&org, Access::Permission(Permission::LeadsWrite))
        .await?
        .commit()
        .await
}

/// Creates a lead assigned to its creator, then opens it.
#[server(endpoint = "create_lead")]
pub async fn create_lead(org: String, lead: LeadForm) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsWrite)).await?;
    let id = super::db::create(tenant, &lead).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/{id}?notice=created"));
    Ok(())
}

/// Saves an edit made from `version`; a stale version is refused with a conflict.
#[server(endpoint = "update_lead")]
pub async fn update_lead(
    org: String,
    id: Uuid,
    version: i32,
    lead: LeadForm,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsWrite)).await?;
    super::db::update(tenant, id, version, &lead).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/{id}?notice=saved"));
    Ok(())
}

/// Moves a lead to another status (convert, mark lost with a reason, …).
#[server(endpoint = "change_lead_status")]
pub async fn change_lead_status(
    org: String,
    id: Uuid,
    version: i32,
    status: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsWrite)).await?;
    super::db::change_status(tenant, id, version, &status, reason.as_deref()).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/{id}?notice=status"));
    Ok(())
}

/// Assigns a lead to a member, or to nobody (empty `assignee`).
#[server(endpoint = "assign_lead")]
pub async fn assign_lead(org: String, id: Uuid, assignee: Option<String>) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsAssign)).await?;
    super::db::assign(tenant, id, assignee.as_deref()).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/{id}?notice=assigned"));
    Ok(())
}

/// Logs an activity or a note on a lead; with a due date it schedules a follow-up.
#[server(endpoint = "add_lead_activity")]
pub async fn add_lead_activity(
    org: String,
    id: Uuid,
    kind: String,
    subject: String,
    #[server(default)] body: String,
    due_on: Option<String>,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsWrite)).await?;
    super::db::add_activity(tenant, id, &kind, &subject, &body, due_on.as_deref()).await?;
    leptos_axum::redirect(&format!("/o/{org}/leads/{id}?notice=activity"));
    Ok(())
}

/// The board: per status, totals and the newest cards, with the list's filters.
#[server(endpoint = "load_board")]
pub async fn load_board(
    org: String,
    #[server(default)] query: LeadQuery,
) -> Result<Vec<BoardColumn>, AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsRead)).await?;
    super::db::board(tenant, &query).await
}

/// Moves a card to another column. Without JavaScript the form posts and the browser
/// comes back to the board it came from (the `Referer`, filters included).
#[server(endpoint = "move_lead")]
pub async fn move_lead(
    org: String,
    id: Uuid,
    version: i32,
    status: String,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsWrite)).await?;
    if status == "lost" || status == "unqualified" {
        return Err(AppError::field(
            "status",
            "Open the lead to mark it lost or unqualified; it asks for a reason.",
        ));
    }
    super::db::change_status(tenant, id, version, &status, None).await
}

/// Saves the current filter and sort as a named view of the caller's.
#[server(endpoint = "save_lead_view")]
pub async fn save_lead_view(
    org: String,
    name: String,
    #[server(default)] query: LeadQuery,
) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsRead)).await?;
    super::db::save_view(tenant, &name, &query).await?;
    leptos_axum::redirect(&with_query(
        &org_href(&org, "leads"),
        &query.first_page().to_query(),
    ));
    Ok(())
}

/// Deletes one of the caller's saved views.
#[server(endpoint = "delete_lead_view")]
pub async fn delete_lead_view(org: String, id: Uuid) -> Result<(), AppError> {
    let tenant = Tenant::enter(&org, Access::Permission(Permission::LeadsRead)).await?;
    super::db::delete_view(tenant, id).await
}

/// Applies a bulk action to the ticked leads (`target=selected`, `ids[i]=…`) or to every
/// lead the list's filter matches (`target=filter`), within the caller's scope:
/// `action` is `assign` (with `assignee`), `status` (with `status`), `tag` (with `tag`),
/// `delete` (with `confirm=delete`), or `export`, which downloads the selection or the
/// filter as CSV.
#[server(endpoint = "bulk_leads")]
pub async fn bulk_leads(org: String, #[server(default)] bulk: BulkForm) -> Result<(), AppError> {
    use super::bulk::{BulkAction, BulkTarget};
    let needed = match bulk.action.as_str() {
        "assign" => Permission::LeadsAssign,
        "export" => Permission::LeadsExport,
        _ => Permission::LeadsWrite,
    };
    let tenant = Tenant::enter(&org, Access::Permission(needed)).await?;
    let BulkForm {
        query,
        ids,
        target,
        action,
        assignee,
        status,
        tag,
        confirm,
    } = bulk;
    let target = match target.as_str() {
        "selected" if ids.is_empty() => {
            return Err(AppError::field("ids", "Select at least one lead first."));
        }
        "selected" => BulkTarget::Selected(ids),
        "filter" => BulkTarget::Filter,
        _ => {
            return Err(AppError::field(
                "target",
                "Choose the selected leads or every lead of the filter.",
            ));
        }
    };
    let filter = query.first_page().to_query();
    let sep = if filter.is_empty() { "" } else { "&" };
    if action == "export" {
        // The export streams on its own address (which checks and audits again).
        tenant.commit().await?;
        let mut export = filter;
        if let BulkTarget::Selected(ids) = &target {
            let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
            export.push_str(&format!("{sep}ids={}", ids.join(",")));
        }
        leptos_axum::redirect(&with_query(&org_href(&org, "leads/export.csv"), &export));
        return Ok(());
    }
    let value = match action.as_str() {
        "assign" => assignee,
        "status" => status,
        "tag" => tag,
        _ => None,
    };
    let change = BulkAction::parse(&action, value.as_deref())?;
    if change == BulkAction::Delete && confirm.as_deref() != Some("delete") {
        return Err(AppError::field(
            "confirm",
            "Tick “Yes, delete them” to confirm; deleted leads leave every list.",
        ));
    }
    let changed = super::bulk::apply(tenant, &query, &target, &change).await?;
    leptos_axum::redirect(&format!(
        "/o/{org}/leads?{filter}{sep}notice=bulk&changed={changed}"
    ));
    Ok(())
}
