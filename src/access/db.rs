//! The SQL of the organization frame, members, teams and roles. Every function takes the
//! request's [`Tenant`], so row-level security confines it to the caller's organization.

use super::model::{
    CustomRole, EffectivePermissions, Grant, InvitationRow, LeadScope, MemberRole, MemberRow,
    MembersData, Membership, OrgContext, OrgSummary, Permission, PermissionSource, TeamOption,
};
use crate::auth::model::{EmailAddress, parse_name};
use crate::error::AppError;
use crate::server::audit::Entry;
use crate::server::guard::{Actor, Tenant};
use crate::server::state::AppState;
use leptos::prelude::expect_context;
use serde_json::json;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Days an invitation stays valid.
pub const INVITATION_DAYS: i32 = 7;

fn date(t: time::OffsetDateTime) -> String {
    t.date().to_string()
}

/// The organizations `user_id` belongs to, by name.
pub async fn memberships(user_id: Uuid) -> Result<Vec<Membership>, AppError> {
    let state = expect_context::<AppState>();
    let mut tx = crate::server::db::begin_platform(&state.pool).await?;
    let rows = sqlx::query!(
        r#"select o.slug, o.name, m.role as "role: MemberRole" from organization_members m
               join organizations o on o.id = m.organization_id
           where m.user_id = $1 and m.status = 'active' and o.deleted_at is null
           order by o.name"#,
        user_id
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| Membership {
            slug: r.slug,
            name: r.name,
            role: r.role,
        })
        .collect())
}

/// The frame's view of the caller in the organization.
pub fn org_context(org: OrgSummary, actor: Actor) -> OrgContext {
    OrgContext {
        organization: org,
        role: actor.role,
        permissions: actor.permissions.iter().copied().collect(),
        lead_scope: actor.lead_scope,
        support_until: actor.support_until.and_then(|t| t.format(&Rfc3339).ok()),
        memberships: actor.memberships,
    }
}

async fn member_rows(tenant: &mut Tenant, only: Option<Uuid>) -> Result<Vec<MemberRow>, AppError> {
    let rows = sqlx::query!(
        r#"select m.user_id, u.name, u.email::text as "email!", m.role as "role: MemberRole",
                  t.name as "team?", m.joined_at
           from organization_members m
               join users u on u.id = m.user_id
               left join teams t on t.organization_id = m.organization_id and t.id = m.team_id
           where m.status = 'active' and ($1::uuid is null or m.user_id = $1)
           order by u.name, u.email"#,
        only,
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let grants = sqlx::query!(
        r#"select ur.id, ur.user_id, coalesce(r.name, ur.system_role::text) as "label!", ur.expires_at
           from user_roles ur left join roles r on r.organization_id = ur.organization_id and r.id = ur.role_id
           where (ur.expires_at is null or ur.expires_at > now()) and ($1::uuid is null or ur.user_id = $1)
           order by ur.created_at"#,
        only,
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let mut by_user: BTreeMap<Uuid, Vec<Grant>> = BTreeMap::new();
    for g in grants {
        let label = MemberRole::parse(&g.label)
            .map(|r| r.label().to_owned())
            .unwrap_or(g.label);
        by_user.entry(g.user_id).or_default().push(Grant {
            id: g.id,
            label,
            expires_on: g.expires_at.map(date),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| MemberRow {
            grants: by_user.remove(&r.user_id).unwrap_or_default(),
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            role: r.role,
            team: r.team,
            joined_on: date(r.joined_at),
        })
        .collect())
}

async fn custom_roles(tenant: &mut Tenant) -> Result<Vec<CustomRole>, AppError> {
    let rows = sqlx::query!(
        r#"select r.id, r.name, r.description, r.lead_scope as "lead_scope: LeadScope",
                  array(select rp.permission from role_permissions rp
                        where rp.organization_id = r.organization_id and rp.role_id = r.id
                        order by rp.permission) as "permissions!",
                  (select count(*) from user_roles ur where ur.organization_id = r.organization_id
                       and ur.role_id = r.id) as "grants!"
           from roles r order by lower(r.name)"#
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomRole {
            id: r.id,
            name: r.name,
            description: r.description,
            lead_scope: r.lead_scope,
            permissions: r
                .permissions
                .iter()
                .filter_map(|k| Permission::parse(k))
                .collect(),
            grants: r.grants,
        })
        .collect())
}

/// The members page.
pub async fn members(mut tenant: Tenant) -> Result<MembersData, AppError> {
    let members = member_rows(&mut tenant, None).await?;
    let invitations = sqlx::query!(
        r#"select i.id, i.email::text as "email!", i.role as "role: MemberRole", t.name as "team?",
                  i.status::text as "status!", i.expires_at
           from invitations i left join teams t on t.organization_id = i.organization_id and t.id = i.team_id
           where i.status = 'pending'
           order by i.created_at desc"#
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| InvitationRow {
        id: r.id,
        email: r.email,
        role: r.role,
        team: r.team,
        status: if r.expires_at < time::OffsetDateTime::now_utc() {
            "expired".into()
        } else {
            r.status
        },
        expires_at: r.expires_at.format(&Rfc3339).unwrap_or_default(),
    })
    .collect();
    let teams = sqlx::query_as!(
        TeamOption,
        "select id, name from teams order by lower(name)"
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let custom_roles = custom_roles(&mut tenant).await?;
    let can_manage_roles = tenant.actor.can(Permission::RolesManage);
    tenant.commit().await?;
    Ok(MembersData {
        members,
        invitations,
        teams,
        custom_roles,
        can_manage_roles,
    })
}

fn parse_assignable(role: &str) -> Result<MemberRole, AppError> {
    MemberRole::parse(role)
        .filter(|r| MemberRole::ASSIGNABLE.contains(r))
        .ok_or_else(|| AppError::field("role", "Choose one of the listed roles."))
}

async fn current_role(tenant: &mut Tenant, user_id: Uuid) -> Result<MemberRole, AppError> {
    sqlx::query_scalar!(
        r#"select role as "role: MemberRole" from organization_members where user_id = $1 and status = 'active'"#,
        user_id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Changes a member's base role. The owner's role changes only by transfer.
pub async fn change_role(mut tenant: Tenant, user_id: Uuid, role: &str) -> Result<(), AppError> {
    let role = parse_assignable(role)?;
    let before = current_role(&mut tenant, user_id).await?;
    if before == MemberRole::Owner {
        return Err(AppError::Conflict(
            "The owner's role changes only by transferring ownership.".into(),
        ));
    }
    sqlx::query!(
        "update organization_members set role = $2 where user_id = $1",
        user_id,
        role as MemberRole
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "member.role_changed",
            entity_type: "member",
            entity_id: Some(user_id.to_string()),
            before: Some(json!({ "role": before.key() })),
            after: Some(json!({ "role": role.key() })),
        })
        .await?;
    tenant.commit().await
}

/// Whether a member holds `roles.manage`: by their base role, an extra role or a custom
/// role that has not expired (the sources [`effective_permissions`] lists).
async fn manages_roles(tenant: &mut Tenant, user_id: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"select exists(
               select 1 from organization_members m join system_role_permissions srp on srp.role = m.role
               where m.user_id = $1 and srp.permission = 'roles.manage'
               union all
               select 1 from user_roles ur join system_role_permissions srp on srp.role = ur.system_role
               where ur.user_id = $1 and srp.permission = 'roles.manage'
                 and (ur.expires_at is null or ur.expires_at > now())
               union all
               select 1 from user_roles ur
                   join role_permissions rp on rp.organization_id = ur.organization_id and rp.role_id = ur.role_id
               where ur.user_id = $1 and rp.permission = 'roles.manage'
                 and (ur.expires_at is null or ur.expires_at > now())
           ) as "holds!""#,
        user_id
    )
    .fetch_one(&mut *tenant.tx)
    .await?)
}

/// Removes a member (never the owner). Someone who manages roles (an admin) is removed
/// only by someone who does too: as only they may invite an admin, so only they may take
/// one away, and a manager cannot clear the people above them out of the organization.
pub async fn remove_member(mut tenant: Tenant, user_id: Uuid) -> Result<(), AppError> {
    let before = current_role(&mut tenant, user_id).await?;
    if before == MemberRole::Owner {
        return Err(AppError::Conflict(
            "The owner cannot be removed. Transfer ownership first.".into(),
        ));
    }
    if !tenant.actor.can(Permission::RolesManage) && manages_roles(&mut tenant, user_id).await? {
        // Refused, and the refusal audited, as any second permission check.
        tenant = tenant.require(Permission::RolesManage).await?;
    }
    sqlx::query!(
        "delete from organization_members where user_id = $1",
        user_id
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "member.removed",
            entity_type: "member",
            entity_id: Some(user_id.to_string()),
            before: Some(json!({ "role": before.key() })),
            after: None,
        })
        .await?;
    tenant.commit().await
}

/// Creates a team with a name unique in the organization.
pub async fn create_team(mut tenant: Tenant, name: &str) -> Result<(), AppError> {
    let name = parse_name(name, "the team's name").map_err(|m| AppError::field("name", &m))?;
    if name.chars().count() > 100 {
        return Err(AppError::field("name", "Use at most 100 characters."));
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into teams (organization_id, id, name) values ($1, $2, $3) on conflict do nothing",
        tenant.org.id,
        id,
        name
    )
    .execute(&mut *tenant.tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field(
            "name",
            "A team with this name exists already.",
        ));
    }
    tenant
        .audit(Entry {
            action: "team.created",
            entity_type: "team",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "name": name })),
        })
        .await?;
    tenant.commit().await
}

fn parse_team(team_id: Option<&str>) -> Result<Option<Uuid>, AppError> {
    match team_id.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Uuid::parse_str(t)
            .map(Some)
            .map_err(|_| AppError::field("team_id", "Choose one of the listed teams.")),
    }
}

async fn queue_invitation_email(
    tenant: &mut Tenant,
    email: &str,
    role: MemberRole,
    token: &str,
) -> Result<(), AppError> {
    let state = expect_context::<AppState>();
    let link = format!(
        "{}/invitations/{token}",
        crate::server::mail::base_url(&state.security)
    );
    let body = format!(
        "You are invited to join {} on Revdesk as {}.\n\nAccept within {INVITATION_DAYS} days:\n\n{link}\n",
        tenant.org.name,
        role.label()
    );
    crate::server::mail::enqueue(
        &mut tenant.tx,
        Some(tenant.org.id),
        email,
        &format!("Join {} on Revdesk", tenant.org.name),
        &body,
    )
    .await?;
    Ok(())
}

/// Invites an address with a role and team. Refuses members and open invitations.
pub async fn invite(
    mut tenant: Tenant,
    email: &str,
    role: &str,
    team_id: Option<&str>,
) -> Result<(), AppError> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    let role = parse_assignable(role)?;
    if role == MemberRole::Admin && !tenant.actor.can(Permission::RolesManage) {
        return Err(AppError::field(
            "role",
            "Only members who manage roles can invite admins.",
        ));
    }
    let team_id = parse_team(team_id)?;
    let member = sqlx::query_scalar!(
        r#"select exists(select 1 from organization_members m join users u on u.id = m.user_id where u.email = $1) as "exists!""#,
        email.as_str()
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    if member {
        return Err(AppError::field("email", "This person is a member already."));
    }
    if let Some(team) = team_id {
        sqlx::query_scalar!("select id from teams where id = $1", team)
            .fetch_optional(&mut *tenant.tx)
            .await?
            .ok_or_else(|| AppError::field("team_id", "Choose one of the listed teams."))?;
    }
    let (token, hash) = crate::server::tokens::generate();
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into invitations (organization_id, id, email, role, team_id, token_hash, expires_at, invited_by)
         values ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7), $8)
         on conflict do nothing",
        tenant.org.id,
        id,
        email.as_str(),
        role as MemberRole,
        team_id,
        hash,
        INVITATION_DAYS,
        tenant.actor.user_id,
    )
    .execute(&mut *tenant.tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field(
            "email",
            "This address has an open invitation. Resend it from the list below.",
        ));
    }
    queue_invitation_email(&mut tenant, email.as_str(), role, &token).await?;
    tenant
        .audit(Entry {
            action: "invitation.created",
            entity_type: "invitation",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "email": email.as_str(), "role": role.key(), "team_id": team_id })),
        })
        .await?;
    tenant.commit().await
}

/// A new link and expiry for a pending invitation (the old link stops working).
pub async fn resend_invitation(mut tenant: Tenant, id: Uuid) -> Result<(), AppError> {
    let (token, hash) = crate::server::tokens::generate();
    let row = sqlx::query!(
        r#"update invitations set token_hash = $2, expires_at = now() + make_interval(days => $3)
           where id = $1 and status = 'pending'
           returning email::text as "email!", role as "role: MemberRole""#,
        id,
        hash,
        INVITATION_DAYS,
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    queue_invitation_email(&mut tenant, &row.email, row.role, &token).await?;
    tenant
        .audit(Entry {
            action: "invitation.resent",
            entity_type: "invitation",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "email": row.email })),
        })
        .await?;
    tenant.commit().await
}

/// Revokes a pending invitation.
pub async fn revoke_invitation(mut tenant: Tenant, id: Uuid) -> Result<(), AppError> {
    let email = sqlx::query_scalar!(
        r#"update invitations set status = 'revoked' where id = $1 and status = 'pending' returning email::text as "email!""#,
        id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    tenant
        .audit(Entry {
            action: "invitation.revoked",
            entity_type: "invitation",
            entity_id: Some(id.to_string()),
            before: Some(json!({ "email": email, "status": "pending" })),
            after: Some(json!({ "status": "revoked" })),
        })
        .await?;
    tenant.commit().await
}

/// Creates a custom role.
pub async fn create_role(
    mut tenant: Tenant,
    name: &str,
    description: &str,
    lead_scope: &str,
    permissions: &[String],
) -> Result<(), AppError> {
    let mut errors = BTreeMap::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        errors.insert("name".into(), "Enter a name of 1 to 60 characters.".into());
    }
    if description.chars().count() > 500 {
        errors.insert("description".into(), "Use at most 500 characters.".into());
    }
    let scope = match lead_scope {
        "own" => Some(LeadScope::Own),
        "team" => Some(LeadScope::Team),
        "all" => Some(LeadScope::All),
        _ => None,
    };
    if scope.is_none() {
        errors.insert("lead_scope".into(), "Choose own, team or all.".into());
    }
    let parsed: Option<Vec<Permission>> =
        permissions.iter().map(|p| Permission::parse(p)).collect();
    match &parsed {
        None => {
            errors.insert(
                "permissions".into(),
                "Choose permissions from the list.".into(),
            );
        }
        Some(list) if list.is_empty() => {
            errors.insert(
                "permissions".into(),
                "Choose at least one permission.".into(),
            );
        }
        Some(list)
            if list.iter().any(|p| {
                matches!(
                    p,
                    Permission::OrganizationDelete | Permission::OrganizationTransfer
                )
            }) =>
        {
            errors.insert(
                "permissions".into(),
                "Deleting and transferring the organization stay with its owner.".into(),
            );
        }
        _ => {}
    }
    let (Some(scope), Some(list)) = (scope, parsed) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into roles (organization_id, id, name, description, lead_scope) values ($1, $2, $3, $4, $5)
         on conflict do nothing",
        tenant.org.id,
        id,
        name,
        description.trim(),
        scope as LeadScope,
    )
    .execute(&mut *tenant.tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field(
            "name",
            "A role with this name exists already.",
        ));
    }
    let keys: Vec<String> = list.iter().map(|p| p.key().to_owned()).collect();
    sqlx::query!(
        "insert into role_permissions (organization_id, role_id, permission)
         select $1, $2, unnest($3::text[]) on conflict do nothing",
        tenant.org.id,
        id,
        &keys,
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "role.created",
            entity_type: "role",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "name": name, "lead_scope": lead_scope, "permissions": keys })),
        })
        .await?;
    tenant.commit().await
}

/// Deletes a custom role (its grants go with it).
pub async fn delete_role(mut tenant: Tenant, id: Uuid) -> Result<(), AppError> {
    let name = sqlx::query_scalar!("delete from roles where id = $1 returning name", id)
        .fetch_optional(&mut *tenant.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    tenant
        .audit(Entry {
            action: "role.deleted",
            entity_type: "role",
            entity_id: Some(id.to_string()),
            before: Some(json!({ "name": name })),
            after: None,
        })
        .await?;
    tenant.commit().await
}

/// Grants an extra role, optionally until the end of a date (UTC).
pub async fn grant_role(
    mut tenant: Tenant,
    user_id: Uuid,
    role: &str,
    expires_on: Option<&str>,
) -> Result<(), AppError> {
    let (system, custom) = match role.split_once(':') {
        Some(("system", key)) => (Some(parse_assignable(key)?), None),
        Some(("custom", id)) => (
            None,
            Some(
                Uuid::parse_str(id)
                    .map_err(|_| AppError::field("role", "Choose one of the listed roles."))?,
            ),
        ),
        _ => return Err(AppError::field("role", "Choose one of the listed roles.")),
    };
    let expires_at = match expires_on.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let day = time::Date::parse(d, &format)
                .map_err(|_| AppError::field("expires_on", "Enter a date as YYYY-MM-DD."))?;
            let end = day
                .next_day()
                .ok_or_else(|| AppError::field("expires_on", "Enter a date as YYYY-MM-DD."))?
                .midnight()
                .assume_utc();
            if end <= time::OffsetDateTime::now_utc() {
                return Err(AppError::field(
                    "expires_on",
                    "Choose a date in the future.",
                ));
            }
            Some(end)
        }
    };
    current_role(&mut tenant, user_id).await?;
    if let Some(id) = custom {
        sqlx::query_scalar!("select id from roles where id = $1", id)
            .fetch_optional(&mut *tenant.tx)
            .await?
            .ok_or_else(|| AppError::field("role", "Choose one of the listed roles."))?;
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into user_roles (organization_id, id, user_id, system_role, role_id, expires_at, granted_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant.org.id,
        id,
        user_id,
        system as Option<MemberRole>,
        custom,
        expires_at,
        tenant.actor.user_id,
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "role.granted",
            entity_type: "member",
            entity_id: Some(user_id.to_string()),
            before: None,
            after: Some(json!({ "grant": id, "role": role, "expires_at": expires_at.map(|t| t.format(&Rfc3339).unwrap_or_default()) })),
        })
        .await?;
    tenant.commit().await
}

/// Revokes an extra role.
pub async fn revoke_grant(mut tenant: Tenant, id: Uuid) -> Result<(), AppError> {
    let user_id = sqlx::query_scalar!("delete from user_roles where id = $1 returning user_id", id)
        .fetch_optional(&mut *tenant.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    tenant
        .audit(Entry {
            action: "role.revoked",
            entity_type: "member",
            entity_id: Some(user_id.to_string()),
            before: Some(json!({ "grant": id })),
            after: None,
        })
        .await?;
    tenant.commit().await
}

/// A member's permissions, each with the roles that grant it.
pub async fn effective_permissions(
    mut tenant: Tenant,
    user_id: Uuid,
) -> Result<EffectivePermissions, AppError> {
    let member = member_rows(&mut tenant, Some(user_id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let rows = sqlx::query!(
        r#"select srp.permission as "permission!", 'Base role: ' || m.role::text as "source!", null::lead_scope as "scope: LeadScope"
           from organization_members m join system_role_permissions srp on srp.role = m.role
           where m.user_id = $1
           union all
           select srp.permission, 'Extra role: ' || ur.system_role::text, null
           from user_roles ur join system_role_permissions srp on srp.role = ur.system_role
           where ur.user_id = $1 and (ur.expires_at is null or ur.expires_at > now())
           union all
           select rp.permission, 'Custom role: ' || r.name, r.lead_scope
           from user_roles ur
               join roles r on r.organization_id = ur.organization_id and r.id = ur.role_id
               join role_permissions rp on rp.organization_id = r.organization_id and rp.role_id = r.id
           where ur.user_id = $1 and (ur.expires_at is null or ur.expires_at > now())"#,
        user_id
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let granted_scopes: Vec<LeadScope> = sqlx::query_scalar!(
        r#"select ur.system_role as "role!: MemberRole" from user_roles ur
           where ur.user_id = $1 and ur.system_role is not null and (ur.expires_at is null or ur.expires_at > now())"#,
        user_id
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(MemberRole::lead_scope)
    .collect();
    tenant.commit().await?;
    let mut by_permission: BTreeMap<Permission, Vec<String>> = BTreeMap::new();
    let mut lead_scope = member.role.lead_scope();
    for scope in granted_scopes {
        lead_scope = lead_scope.max(scope);
    }
    for row in rows {
        if let Some(scope) = row.scope {
            lead_scope = lead_scope.max(scope);
        }
        if let Some(p) = Permission::parse(&row.permission) {
            let source = row.source.replace('_', " ");
            let list = by_permission.entry(p).or_default();
            if !list.contains(&source) {
                list.push(source);
            }
        }
    }
    Ok(EffectivePermissions {
        member,
        lead_scope,
        permissions: by_permission
            .into_iter()
            .map(|(permission, sources)| PermissionSource {
                permission,
                sources,
            })
            .collect(),
    })
}
