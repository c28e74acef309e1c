//! The guard: the only way to reach tenant data.
//!
//! Every server function that touches an organization starts with [`Tenant::enter`]. It
//! re-reads the caller's membership, role grants and the organization's status (so a
//! demotion or removal applies on the next request), checks the permission the function
//! needs, and returns a [`Tenant`] holding a transaction already switched to
//! `revdesk_app` (partner users: `revdesk_partner`) with the organization (and, for
//! partners, the partner) set for row-level security. Tenant queries take that
//! transaction; there is no other way to obtain one outside the platform console and
//! seeding.

use super::audit::{self, Entry};
use super::db::{TenantRole, enter_tenant};
use super::session::{CurrentUser, RequestMeta, request_meta_of_current, require_user};
use super::state::AppState;
use crate::access::model::{LeadScope, MemberRole, Membership, OrgSummary, Permission};
use crate::error::AppError;
use leptos::prelude::expect_context;
use serde_json::json;
use sqlx::{Postgres, Transaction};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// What a server function needs from the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone who belongs to the organization, partners included (the frame).
    Any,
    /// Any staff member (not a partner): dashboards, the organization's own pages.
    Member,
    /// A staff member holding this permission.
    Permission(Permission),
    /// A partner with a partner record: the portal.
    Partner,
}

/// The caller inside the organization.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The user.
    pub user_id: Uuid,
    /// Their base role (`Viewer` for support sessions).
    pub role: MemberRole,
    /// Their effective permissions.
    pub permissions: BTreeSet<Permission>,
    /// Their record scope for leads.
    pub lead_scope: LeadScope,
    /// Their team, for the `team` scope.
    pub team_id: Option<Uuid>,
    /// Their partner record, for partner users.
    pub partner_id: Option<Uuid>,
    /// Set when a platform admin is here through a support session.
    pub support_session_id: Option<Uuid>,
    /// When that support session ends.
    pub support_until: Option<time::OffsetDateTime>,
    /// Every organization they belong to, for the frame's switcher, read with the
    /// membership itself when the frame asks (`Access::Any`); `None` otherwise and in a
    /// support session, where the switcher loads them itself.
    pub memberships: Option<Vec<Membership>>,
}

impl Actor {
    /// Whether the actor holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// The database role their tenant transactions run as.
    fn tenant_role(&self) -> TenantRole {
        if self.role == MemberRole::Partner {
            TenantRole::Partner(self.partner_id)
        } else {
            TenantRole::Staff
        }
    }

    fn allows(&self, access: Access) -> bool {
        match access {
            Access::Any => true,
            Access::Member => self.role != MemberRole::Partner,
            Access::Permission(p) => self.role != MemberRole::Partner && self.can(p),
            Access::Partner => self.role == MemberRole::Partner && self.partner_id.is_some(),
        }
    }
}

/// The caller's membership as read by the first tenant entry of a request. A page's
/// frame and its content each enter the tenant; the second entry reuses what the first
/// read instead of reading the same rows again. One per request (the session middleware
/// puts it into the request's extensions), so every request still re-reads membership,
/// grants and the organization's status.
#[derive(Clone, Default)]
pub struct MemberCache(Arc<Mutex<Option<CachedMember>>>);

type Member = (OrgSummary, String, Actor);
struct CachedMember {
    slug: String,
    user_id: Uuid,
    member: Member,
}

impl MemberCache {
    fn get(&self, slug: &str, user: &CurrentUser) -> Option<Member> {
        let cached = self.0.lock().ok()?;
        cached
            .as_ref()
            .filter(|c| c.slug == slug && c.user_id == user.viewer.id)
            .map(|c| c.member.clone())
    }

    fn put(&self, slug: &str, user: &CurrentUser, member: &Member) {
        if let Ok(mut cached) = self.0.lock() {
            *cached = Some(CachedMember {
                slug: slug.to_owned(),
                user_id: user.viewer.id,
                member: member.clone(),
            });
        }
    }
}

/// A request's tenant scope: the organization, the caller, and the transaction that
/// row-level security confines to them.
pub struct Tenant {
    /// The organization.
    pub org: OrgSummary,
    /// The caller.
    pub actor: Actor,
    /// The tenant transaction. Commit it with [`Tenant::commit`].
    pub tx: Transaction<'static, Postgres>,
    /// Where the request came from.
    pub meta: RequestMeta,
}

/// Permissions of a support session: read-only, plus the audit log.
fn support_permissions() -> BTreeSet<Permission> {
    [
        Permission::LeadsRead,
        Permission::PartnersRead,
        Permission::BillingRead,
        Permission::AuditRead,
    ]
    .into()
}

impl Tenant {
    /// Enters the organization with URL segment `slug` for the signed-in caller, if they
    /// have `access`. Unknown organizations and organizations the caller does not belong
    /// to are both `NotFound`; a member without the permission gets `Forbidden`, and the
    /// denial is audited.
    pub async fn enter(slug: &str, access: Access) -> Result<Tenant, AppError> {
        let user = require_user()?;
        let state = expect_context::<AppState>();
        let meta = request_meta_of_current();
        Self::enter_as(&state, &user, slug, access, meta).await
    }

    /// [`Tenant::enter`] with everything passed in (for code outside a server function).
    pub async fn enter_as(
        state: &AppState,
        user: &CurrentUser,
        slug: &str,
        access: Access,
        meta: RequestMeta,
    ) -> Result<Tenant, AppError> {
        let cache = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<MemberCache>().cloned());
        if let Some((org, status, actor)) = cache.as_ref().and_then(|c| c.get(slug, user)) {
            let tx = super::db::begin_tenant(&state.pool, org.id, actor.tenant_role()).await?;
            return Self::admit(tx, org, status, actor, access, meta).await;
        }
        let mut tx = super::db::begin_platform(&state.pool).await?;
        // Only the frame (`Access::Any`) shows the switcher's organizations.
        let with_memberships = access == Access::Any;
        let found = match load_member(&mut tx, slug, user.viewer.id, with_memberships).await? {
            Some(found) => found,
            None if user.viewer.is_platform_admin => load_support(&mut tx, slug, user.viewer.id)
                .await?
                .ok_or(AppError::NotFound)?,
            None => return Err(AppError::NotFound),
        };
        if let Some(cache) = &cache {
            cache.put(slug, user, &found);
        }
        let (org, status, actor) = found;
        enter_tenant(&mut tx, org.id, actor.tenant_role()).await?;
        Self::admit(tx, org, status, actor, access, meta).await
    }

    /// Enters the organization for work a person started that outlives their request
    /// (an import): their membership and permission are checked again, exactly as for a
    /// request, so a removal or demotion stops the work at its next step. Support
    /// sessions do not carry over into such work.
    pub async fn enter_for_job(
        pool: &sqlx::PgPool,
        slug: &str,
        user_id: Uuid,
        access: Access,
        meta: RequestMeta,
    ) -> Result<Tenant, AppError> {
        let mut tx = super::db::begin_platform(pool).await?;
        let (org, status, actor) = load_member(&mut tx, slug, user_id, false)
            .await?
            .ok_or(AppError::NotFound)?;
        enter_tenant(&mut tx, org.id, actor.tenant_role()).await?;
        Self::admit(tx, org, status, actor, access, meta).await
    }

    /// Checks the organization's status and `access` for a transaction already inside
    /// the tenant.
    async fn admit(
        tx: Transaction<'static, Postgres>,
        org: OrgSummary,
        status: String,
        actor: Actor,
        access: Access,
        meta: RequestMeta,
    ) -> Result<Tenant, AppError> {
        if status != "active" {
            return Err(AppError::Suspended);
        }
        let mut tenant = Tenant {
            org,
            actor,
            tx,
            meta,
        };
        if !tenant.actor.allows(access) {
            let needed = match access {
                Access::Any | Access::Member => "member".to_owned(),
                Access::Permission(p) => p.key().to_owned(),
                Access::Partner => "partner".to_owned(),
            };
            tenant
                .audit(Entry {
                    action: "permission.denied",
                    entity_type: "permission",
                    entity_id: Some(needed.clone()),
                    before: None,
                    after: Some(json!({ "needed": needed, "path": current_path() })),
                })
                .await?;
            tenant.commit().await?;
            return Err(AppError::Forbidden);
        }
        Ok(tenant)
    }

    /// Passes the tenant on if the caller also holds `permission`; otherwise records the
    /// denial (committed, as [`Tenant::enter`] does) and fails with `Forbidden`.
    pub async fn require(mut self, permission: Permission) -> Result<Tenant, AppError> {
        if self.actor.can(permission) {
            return Ok(self);
        }
        self.audit(Entry {
            action: "permission.denied",
            entity_type: "permission",
            entity_id: Some(permission.key().to_owned()),
            before: None,
            after: Some(json!({ "needed": permission.key(), "path": current_path() })),
        })
        .await?;
        self.commit().await?;
        Err(AppError::Forbidden)
    }

    /// Writes an audit entry in this transaction.
    pub async fn audit(&mut self, entry: Entry<'_>) -> Result<(), AppError> {
        let actor = audit::Actor {
            user_id: Some(self.actor.user_id),
            support_session_id: self.actor.support_session_id,
        };
        audit::record(&mut self.tx, self.org.id, actor, &self.meta, entry).await?;
        Ok(())
    }

    /// Commits the change and its audit entries.
    pub async fn commit(self) -> Result<(), AppError> {
        self.tx.commit().await?;
        Ok(())
    }
}

fn current_path() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.uri.path().to_owned())
        .unwrap_or_default()
}

async fn load_member(
    tx: &mut Transaction<'static, Postgres>,
    slug: &str,
    user_id: Uuid,
    with_memberships: bool,
) -> Result<Option<(OrgSummary, String, Actor)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select o.id, o.slug, o.name, o.status::text as "status!",
                  m.role as "role: MemberRole", m.team_id,
                  (select p.id from partners p where p.organization_id = o.id and p.user_id = m.user_id) as partner_id,
                  array(select srp.permission from system_role_permissions srp where srp.role = m.role
                        union
                        select srp.permission from user_roles ur
                            join system_role_permissions srp on srp.role = ur.system_role
                        where ur.organization_id = o.id and ur.user_id = m.user_id
                          and (ur.expires_at is null or ur.expires_at > now())
                        union
                        select rp.permission from user_roles ur
                            join role_permissions rp on rp.organization_id = ur.organization_id and rp.role_id = ur.role_id
                        where ur.organization_id = o.id and ur.user_id = m.user_id
                          and (ur.expires_at is null or ur.expires_at > now())) as "permissions!",
                  array(select ur.system_role from user_roles ur
                        where ur.organization_id = o.id and ur.user_id = m.user_id and ur.system_role is not null
                          and (ur.expires_at is null or ur.expires_at > now())) as "granted_roles!: Vec<MemberRole>",
                  (select max(r.lead_scope) from user_roles ur
                       join roles r on r.organization_id = ur.organization_id and r.id = ur.role_id
                   where ur.organization_id = o.id and ur.user_id = m.user_id
                     and (ur.expires_at is null or ur.expires_at > now())) as "custom_scope: LeadScope",
                  mine.slugs as "my_slugs?", mine.names as "my_names?", mine.roles as "my_roles?: Vec<MemberRole>"
           from organizations o
               join organization_members m on m.organization_id = o.id and m.user_id = $2 and m.status = 'active'
               cross join lateral (
                   select array_agg(o2.slug order by o2.name, o2.slug) as slugs,
                          array_agg(o2.name order by o2.name, o2.slug) as names,
                          array_agg(m2.role order by o2.name, o2.slug) as roles
                   from organization_members m2 join organizations o2 on o2.id = m2.organization_id
                   where $3 and m2.user_id = $2 and m2.status = 'active' and o2.deleted_at is null
               ) mine
           where o.slug = $1 and o.deleted_at is null"#,
        slug,
        user_id,
        with_memberships,
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|row| {
        let lead_scope = row
            .granted_roles
            .iter()
            .map(|r| r.lead_scope())
            .chain(row.custom_scope)
            .fold(row.role.lead_scope(), Ord::max);
        let actor = Actor {
            user_id,
            role: row.role,
            permissions: row
                .permissions
                .iter()
                .filter_map(|k| Permission::parse(k))
                .collect(),
            lead_scope,
            team_id: row.team_id,
            partner_id: row.partner_id,
            support_session_id: None,
            support_until: None,
            memberships: with_memberships.then(|| {
                let (slugs, names) = (
                    row.my_slugs.unwrap_or_default(),
                    row.my_names.unwrap_or_default(),
                );
                slugs
                    .into_iter()
                    .zip(names)
                    .zip(row.my_roles.unwrap_or_default())
                    .map(|((slug, name), role)| Membership { slug, name, role })
                    .collect()
            }),
        };
        let org = OrgSummary {
            id: row.id,
            slug: row.slug,
            name: row.name,
        };
        (org, row.status, actor)
    }))
}

async fn load_support(
    tx: &mut Transaction<'static, Postgres>,
    slug: &str,
    user_id: Uuid,
) -> Result<Option<(OrgSummary, String, Actor)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select o.id, o.slug, o.name, o.status::text as "status!", s.id as session_id, s.expires_at
           from organizations o
               join support_sessions s on s.organization_id = o.id and s.admin_user_id = $2
                   and s.ended_at is null and s.expires_at > now()
           where o.slug = $1 and o.deleted_at is null
           order by s.started_at desc
           limit 1"#,
        slug,
        user_id,
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|row| {
        let actor = Actor {
            user_id,
            role: MemberRole::Viewer,
            permissions: support_permissions(),
            lead_scope: LeadScope::All,
            team_id: None,
            partner_id: None,
            support_session_id: Some(row.session_id),
            support_until: Some(row.expires_at),
            memberships: None,
        };
        let org = OrgSummary {
            id: row.id,
            slug: row.slug,
            name: row.name,
        };
        (org, row.status, actor)
    }))
}

/// The platform console's guard: the caller must be a platform admin (re-read from the
/// database on this request). Returns a transaction running as `revdesk_platform`.
pub async fn enter_platform() -> Result<(CurrentUser, Transaction<'static, Postgres>), AppError> {
    let user = require_user()?;
    let state = expect_context::<AppState>();
    if !user.viewer.is_platform_admin {
        let mut conn = state.pool.acquire().await?;
        audit::record_platform(
            &mut conn,
            Some(user.viewer.id),
            None,
            "permission.denied",
            json!({ "needed": "platform_admin", "path": current_path() }),
            &request_meta_of_current(),
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    let tx = super::db::begin_platform(&state.pool).await?;
    Ok((user, tx))
}
