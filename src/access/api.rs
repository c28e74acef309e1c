//! Server functions for the organization frame, members, invitations and roles. Each
//! starts with the guard; the guard's transaction is the only way to tenant rows.

use super::model::{EffectivePermissions, InvitationInfo, MembersData, Membership, OrgContext};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::server::guard::{Access, Tenant};

/// The organizations the signed-in viewer belongs to (for the switcher).
#[server(endpoint = "load_memberships")]
pub async fn load_memberships() -> Result<Vec<Membership>, AppError> {
    let user = crate::server::session::require_user()?;
    super::db::memberships(user.viewer.id).await
}

/// The viewer's place in the organization: role, permissions, other organizations.
#[server(endpoint = "load_org_context")]
pub async fn load_org_context(org: String) -> Result<OrgContext, AppError> {
    let (org, actor) = Tenant::admitted(&org, Access::Any).await?;
    Ok(super::db::org_context(org, actor))
}

/// [`load_org_context`] without waiting, when the request already knows the answer (the
/// session middleware read the membership beside the session); `None` when it must be
/// loaded.
#[cfg(feature = "ssr")]
pub fn org_context_now(org: &str) -> Option<Result<OrgContext, AppError>> {
    Tenant::admitted_now(org, Access::Any)
        .map(|admitted| admitted.map(|(org, actor)| super::db::org_context(org, actor)))
}

/// The members page: members, invitations, teams and custom roles.
#[server(endpoint = "load_members")]
pub async fn load_members(org: String) -> Result<MembersData, AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::members(tenant).await
}

/// Changes a member's base role (not to or from owner: ownership is transferred).
#[server(endpoint = "change_member_role")]
pub async fn change_member_role(org: String, user_id: Uuid, role: String) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage))
        .await?
        .require(Permission::RolesManage)
        .await?;
    super::db::change_role(tenant, user_id, &role).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=role_changed"));
    Ok(())
}

/// Removes a member from the organization (not the owner).
#[server(endpoint = "remove_member")]
pub async fn remove_member(org: String, user_id: Uuid) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::remove_member(tenant, user_id).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=member_removed"));
    Ok(())
}

/// Creates a team.
#[server(endpoint = "create_team")]
pub async fn create_team(org: String, name: String) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::create_team(tenant, &name).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=team_created"));
    Ok(())
}

/// Invites someone by email with a role (and a team), valid for seven days.
#[server(endpoint = "invite_member")]
pub async fn invite_member(
    org: String,
    email: String,
    role: String,
    team_id: Option<String>,
) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::invite(tenant, &email, &role, team_id.as_deref()).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=invited"));
    Ok(())
}

/// Sends a pending invitation again with a new link and a new expiry.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(org: String, id: Uuid) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::resend_invitation(tenant, id).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=invitation_resent"));
    Ok(())
}

/// Withdraws a pending invitation; its link stops working.
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(org: String, id: Uuid) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::revoke_invitation(tenant, id).await?;
    leptos_axum::redirect(&format!("/o/{org}/members?notice=invitation_revoked"));
    Ok(())
}

/// What the accept page needs to know about an invitation link. Public.
#[server(endpoint = "load_invitation")]
pub async fn load_invitation(token: String) -> Result<InvitationInfo, AppError> {
    super::invitations::info(&token).await
}

/// Accepts an invitation: as the signed-in user whose address it was sent to, or by
/// creating the account (name and password) when none exists. Public.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: Option<String>,
    password: Option<String>,
) -> Result<(), AppError> {
    let slug = super::invitations::accept(&token, name, password).await?;
    leptos_axum::redirect(&format!("/o/{slug}?notice=joined"));
    Ok(())
}

/// The roles page: custom roles and what they allow.
#[server(endpoint = "load_roles")]
pub async fn load_roles(org: String) -> Result<MembersData, AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::RolesManage)).await?;
    super::db::members(tenant).await
}

/// Creates a custom role from catalogue permissions.
#[server(endpoint = "create_role")]
pub async fn create_role(
    org: String,
    name: String,
    description: Option<String>,
    lead_scope: String,
    #[server(default)] permissions: Vec<String>,
) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::RolesManage)).await?;
    super::db::create_role(
        tenant,
        &name,
        description.as_deref().unwrap_or(""),
        &lead_scope,
        &permissions,
    )
    .await?;
    leptos_axum::redirect(&format!("/o/{org}/roles?notice=role_created"));
    Ok(())
}

/// Deletes a custom role and every grant of it.
#[server(endpoint = "delete_role")]
pub async fn delete_role(org: String, id: Uuid) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::RolesManage)).await?;
    super::db::delete_role(tenant, id).await?;
    leptos_axum::redirect(&format!("/o/{org}/roles?notice=role_deleted"));
    Ok(())
}

/// Grants a member an extra role (`system:finance` or `custom:<id>`), optionally until
/// a date (`YYYY-MM-DD`, the end of that day UTC).
#[server(endpoint = "grant_role")]
pub async fn grant_role(
    org: String,
    user_id: Uuid,
    role: String,
    expires_on: Option<String>,
) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::RolesManage)).await?;
    super::db::grant_role(tenant, user_id, &role, expires_on.as_deref()).await?;
    leptos_axum::redirect(&format!("/o/{org}/roles?notice=role_granted"));
    Ok(())
}

/// Takes back an extra role.
#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(org: String, id: Uuid) -> Result<(), AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::RolesManage)).await?;
    super::db::revoke_grant(tenant, id).await?;
    leptos_axum::redirect(&format!("/o/{org}/roles?notice=grant_revoked"));
    Ok(())
}

/// A member's effective permissions and where each comes from.
#[server(endpoint = "load_effective_permissions")]
pub async fn load_effective_permissions(
    org: String,
    user_id: Uuid,
) -> Result<EffectivePermissions, AppError> {
    use crate::access::model::Permission;
    let tenant = Tenant::enter(&org, Access::Permission(Permission::MembersManage)).await?;
    super::db::effective_permissions(tenant, user_id).await
}
