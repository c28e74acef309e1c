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
use super::db::{KeptConnection, TenantRole, enter_tenant};
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

/// The caller's membership of a request's organization, read once per request: by the
/// session middleware together with the session on `/o/{org}/…` pages, or else by the
/// first tenant entry. A page's frame and its content both use it instead of reading the
/// same rows again. One per request (the session middleware puts it into the request's
/// extensions), so every request still re-reads membership, grants and the
/// organization's status.
#[derive(Clone, Default)]
pub struct MemberCache(Arc<Mutex<Option<CachedMember>>>);

/// The organization, its status and the actor: what a membership read yields.
pub(crate) type Member = (OrgSummary, String, Actor);
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

    pub(crate) fn put(&self, slug: &str, user: &CurrentUser, member: &Member) {
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
        let cache = request_members();
        if let Some((org, status, actor)) = cache.as_ref().and_then(|c| c.get(slug, user)) {
            // The connection the session was read on, when the middleware kept it.
            let kept =
                super::session::request_extension::<KeptConnection>().and_then(|kept| kept.take());
            let tx =
                super::db::begin_tenant_on(&state.pool, kept, org.id, actor.tenant_role()).await?;
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

    /// Who the caller is in the organization with URL segment `slug`, for a page's frame:
    /// the organization and the actor, checked as [`Tenant::enter`] checks them. When the
    /// request's membership is already read (it usually is, by the session middleware) and
    /// admits the caller, no transaction is opened at all; otherwise this enters and
    /// commits (which also audits a denial).
    pub async fn admitted(slug: &str, access: Access) -> Result<(OrgSummary, Actor), AppError> {
        if let Some(known) = Self::admitted_now(slug, access) {
            return known;
        }
        let tenant = Self::enter(slug, access).await?;
        let admitted = (tenant.org.clone(), tenant.actor.clone());
        tenant.commit().await?;
        Ok(admitted)
    }

    /// [`Tenant::admitted`] without waiting: the answer when the request's membership is
    /// already read, `None` when it has to be loaded (not read yet, or a denial that must
    /// be audited in a transaction).
    pub fn admitted_now(
        slug: &str,
        access: Access,
    ) -> Option<Result<(OrgSummary, Actor), AppError>> {
        let user = match require_user() {
            Ok(user) => user,
            Err(e) => return Some(Err(e)),
        };
        let (org, status, actor) = request_members()?.get(slug, &user)?;
        if status != "active" {
            return Some(Err(AppError::Suspended));
        }
        actor.allows(access).then_some(Ok((org, actor)))
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

/// The request's [`MemberCache`] (absent outside a request, as in background work).
fn request_members() -> Option<MemberCache> {
    super::session::request_extension::<MemberCache>()
}

fn current_path() -> String {
    super::session::with_request(|p| p.uri.path().to_owned()).unwrap_or_default()
}

/// One row of `member_access` (migration 20261201000007): the caller's membership of
/// one organization. The function's columns are all nullable to SQL, hence the options;
/// the request middleware reads the same row beside the session (`#[sqlx(flatten)]`).
#[derive(Debug, Default, sqlx::FromRow)]
pub(crate) struct MemberRow {
    id: Option<Uuid>,
    slug: Option<String>,
    name: Option<String>,
    status: Option<String>,
    role: Option<MemberRole>,
    team_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    permissions: Option<Vec<String>>,
    granted_roles: Option<Vec<MemberRole>>,
    custom_scope: Option<LeadScope>,
    my_slugs: Option<Vec<String>>,
    my_names: Option<Vec<String>>,
    my_roles: Option<Vec<MemberRole>>,
}

impl MemberRow {
    /// The organization, its status and the actor, if the row holds a membership.
    /// `memberships` is whether the row was read with the switcher's organizations.
    pub(crate) fn into_member(self, user_id: Uuid, memberships: bool) -> Option<Member> {
        let (id, slug, name, status, role) =
            (self.id?, self.slug?, self.name?, self.status?, self.role?);
        let lead_scope = self
            .granted_roles
            .unwrap_or_default()
            .iter()
            .map(|r| r.lead_scope())
            .chain(self.custom_scope)
            .fold(role.lead_scope(), Ord::max);
        let actor = Actor {
            user_id,
            role,
            permissions: self
                .permissions
                .unwrap_or_default()
                .iter()
                .filter_map(|k| Permission::parse(k))
                .collect(),
            lead_scope,
            team_id: self.team_id,
            partner_id: self.partner_id,
            support_session_id: None,
            support_until: None,
            memberships: memberships.then(|| {
                let slugs = self.my_slugs.unwrap_or_default();
                let names = self.my_names.unwrap_or_default();
                slugs
                    .into_iter()
                    .zip(names)
                    .zip(self.my_roles.unwrap_or_default())
                    .map(|((slug, name), role)| Membership { slug, name, role })
                    .collect()
            }),
        };
        Some((OrgSummary { id, slug, name }, status, actor))
    }
}

async fn load_member(
    tx: &mut Transaction<'static, Postgres>,
    slug: &str,
    user_id: Uuid,
    with_memberships: bool,
) -> Result<Option<Member>, sqlx::Error> {
    let row: Option<MemberRow> = sqlx::query_as("select * from member_access($1, $2, $3)")
        .bind(slug)
        .bind(user_id)
        .bind(with_memberships)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.and_then(|row| row.into_member(user_id, with_memberships)))
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
