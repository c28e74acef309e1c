//! Roles, permissions and record scope (SPEC §1), shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One entry of the permission catalogue, `resource.action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    LeadsRead,
    LeadsWrite,
    LeadsAssign,
    LeadsImport,
    LeadsExport,
    PartnersRead,
    PartnersManage,
    CommissionsApprove,
    PayoutsManage,
    FunnelsManage,
    BillingRead,
    BillingManage,
    MembersManage,
    RolesManage,
    AuditRead,
    ApiKeysManage,
    WebhooksManage,
    SettingsManage,
    OrganizationDelete,
    OrganizationTransfer,
}

impl Permission {
    /// The whole catalogue, in the order pages list it.
    pub const ALL: [Permission; 20] = [
        Permission::LeadsRead,
        Permission::LeadsWrite,
        Permission::LeadsAssign,
        Permission::LeadsImport,
        Permission::LeadsExport,
        Permission::PartnersRead,
        Permission::PartnersManage,
        Permission::CommissionsApprove,
        Permission::PayoutsManage,
        Permission::FunnelsManage,
        Permission::BillingRead,
        Permission::BillingManage,
        Permission::MembersManage,
        Permission::RolesManage,
        Permission::AuditRead,
        Permission::ApiKeysManage,
        Permission::WebhooksManage,
        Permission::SettingsManage,
        Permission::OrganizationDelete,
        Permission::OrganizationTransfer,
    ];

    /// The catalogue key, as stored in `permissions.key`.
    pub fn key(self) -> &'static str {
        match self {
            Permission::LeadsRead => "leads.read",
            Permission::LeadsWrite => "leads.write",
            Permission::LeadsAssign => "leads.assign",
            Permission::LeadsImport => "leads.import",
            Permission::LeadsExport => "leads.export",
            Permission::PartnersRead => "partners.read",
            Permission::PartnersManage => "partners.manage",
            Permission::CommissionsApprove => "commissions.approve",
            Permission::PayoutsManage => "payouts.manage",
            Permission::FunnelsManage => "funnels.manage",
            Permission::BillingRead => "billing.read",
            Permission::BillingManage => "billing.manage",
            Permission::MembersManage => "members.manage",
            Permission::RolesManage => "roles.manage",
            Permission::AuditRead => "audit.read",
            Permission::ApiKeysManage => "api_keys.manage",
            Permission::WebhooksManage => "webhooks.manage",
            Permission::SettingsManage => "settings.manage",
            Permission::OrganizationDelete => "organization.delete",
            Permission::OrganizationTransfer => "organization.transfer",
        }
    }

    /// Parses a catalogue key.
    pub fn parse(key: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// The system roles. Every member has one as their base role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "member_role", rename_all = "snake_case")
)]
pub enum MemberRole {
    Owner,
    Admin,
    Manager,
    SalesRep,
    Marketing,
    Finance,
    Viewer,
    Partner,
    ApiUser,
}

impl MemberRole {
    /// Every role, most powerful first.
    pub const ALL: [MemberRole; 9] = [
        MemberRole::Owner,
        MemberRole::Admin,
        MemberRole::Manager,
        MemberRole::SalesRep,
        MemberRole::Marketing,
        MemberRole::Finance,
        MemberRole::Viewer,
        MemberRole::Partner,
        MemberRole::ApiUser,
    ];

    /// Roles a member can be invited with or changed to (ownership is transferred, not
    /// granted; API users are keys, not people).
    pub const ASSIGNABLE: [MemberRole; 7] = [
        MemberRole::Admin,
        MemberRole::Manager,
        MemberRole::SalesRep,
        MemberRole::Marketing,
        MemberRole::Finance,
        MemberRole::Viewer,
        MemberRole::Partner,
    ];

    /// The value used in forms and the database.
    pub fn key(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Admin => "admin",
            MemberRole::Manager => "manager",
            MemberRole::SalesRep => "sales_rep",
            MemberRole::Marketing => "marketing",
            MemberRole::Finance => "finance",
            MemberRole::Viewer => "viewer",
            MemberRole::Partner => "partner",
            MemberRole::ApiUser => "api_user",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            MemberRole::Owner => "Owner",
            MemberRole::Admin => "Admin",
            MemberRole::Manager => "Manager",
            MemberRole::SalesRep => "Sales rep",
            MemberRole::Marketing => "Marketing",
            MemberRole::Finance => "Finance",
            MemberRole::Viewer => "Viewer",
            MemberRole::Partner => "Partner",
            MemberRole::ApiUser => "API user",
        }
    }

    /// Parses a form or database value.
    pub fn parse(key: &str) -> Option<MemberRole> {
        MemberRole::ALL.into_iter().find(|r| r.key() == key)
    }

    /// How far this role reaches into leads on its own.
    pub fn lead_scope(self) -> LeadScope {
        match self {
            MemberRole::SalesRep => LeadScope::Team,
            MemberRole::Partner | MemberRole::ApiUser => LeadScope::Own,
            _ => LeadScope::All,
        }
    }
}

/// Which leads a member sees: their own, their team's (and their own), or all.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "lead_scope", rename_all = "snake_case")
)]
pub enum LeadScope {
    #[default]
    Own,
    Team,
    All,
}

impl LeadScope {
    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            LeadScope::Own => "Own leads",
            LeadScope::Team => "Team's leads",
            LeadScope::All => "All leads",
        }
    }
}

/// The organization of a tenant page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    /// Its id.
    pub id: Uuid,
    /// The URL segment.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// One organization the viewer belongs to, for the switcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The organization's URL segment.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The viewer's base role there.
    pub role: MemberRole,
}

/// Everything a tenant page needs to know about the viewer's place in the organization:
/// the basis of its navigation. The server re-checks on every call regardless.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgContext {
    /// The organization.
    pub organization: OrgSummary,
    /// The viewer's base role.
    pub role: MemberRole,
    /// Their effective permissions (base role, extra roles, custom roles).
    pub permissions: Vec<Permission>,
    /// Their record scope for leads.
    pub lead_scope: LeadScope,
    /// Set when a platform admin is here through a support session.
    pub support_until: Option<String>,
    /// The viewer's organizations for the switcher, when read with the membership.
    pub memberships: Option<Vec<Membership>>,
}

impl OrgContext {
    /// Whether the viewer holds `permission` here.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Whether the viewer is a partner, who sees only the portal.
    pub fn is_partner(&self) -> bool {
        self.role == MemberRole::Partner
    }

    /// The URL of a page of this organization.
    pub fn href(&self, rest: &str) -> String {
        org_href(&self.organization.slug, rest)
    }
}

/// The URL of a page of the organization with this slug.
pub fn org_href(slug: &str, rest: &str) -> String {
    if rest.is_empty() {
        format!("/o/{slug}")
    } else {
        format!("/o/{slug}/{rest}")
    }
}

/// `path` with `query` (already encoded) after a `?`, or `path` alone when the query is
/// empty: a view with no filter has one address, not two (`/leads` and `/leads?`).
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_leaves_the_path_alone() {
        assert_eq!(with_query("/o/acme/leads/board", ""), "/o/acme/leads/board");
        assert_eq!(
            with_query("/o/acme/leads/board", "status=new"),
            "/o/acme/leads/board?status=new"
        );
    }

    #[test]
    fn keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.key()), Some(p));
        }
        for r in MemberRole::ALL {
            assert_eq!(MemberRole::parse(r.key()), Some(r));
        }
        assert_eq!(Permission::parse("leads.everything"), None);
    }

    #[test]
    fn scopes_are_ordered_from_narrow_to_wide() {
        assert!(LeadScope::Own < LeadScope::Team && LeadScope::Team < LeadScope::All);
        assert_eq!(MemberRole::SalesRep.lead_scope(), LeadScope::Team);
        assert_eq!(MemberRole::Viewer.lead_scope(), LeadScope::All);
    }
}

/// One extra role grant of a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The grant's id (to revoke it).
    pub id: Uuid,
    /// The role's name.
    pub label: String,
    /// When it lapses (a date), if ever.
    pub expires_on: Option<String>,
}

/// A member, as the members page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// The user's id.
    pub user_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their base role.
    pub role: MemberRole,
    /// Their team's name.
    pub team: Option<String>,
    /// When they joined (a date).
    pub joined_on: String,
    /// Extra roles on top of the base role.
    pub grants: Vec<Grant>,
}

/// An open or past invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    /// Its id.
    pub id: Uuid,
    /// Who is invited.
    pub email: String,
    /// The role they will get.
    pub role: MemberRole,
    /// The team they will join.
    pub team: Option<String>,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: String,
    /// When it lapses (a date and time).
    pub expires_at: String,
}

/// A team, for pickers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOption {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

/// A custom role of the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its record scope for leads.
    pub lead_scope: LeadScope,
    /// What it allows.
    pub permissions: Vec<Permission>,
    /// How many grants use it.
    pub grants: i64,
}

/// Everything the members page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersData {
    /// Members, by name.
    pub members: Vec<MemberRow>,
    /// Pending invitations, newest first.
    pub invitations: Vec<InvitationRow>,
    /// Teams, by name.
    pub teams: Vec<TeamOption>,
    /// Custom roles, by name (for granting).
    pub custom_roles: Vec<CustomRole>,
    /// Whether the viewer may change roles (not just invite and remove).
    pub can_manage_roles: bool,
}

/// One permission of a member and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSource {
    /// The permission.
    pub permission: Permission,
    /// The roles that grant it (`Base role: Manager`, `Custom role: Auditor`).
    pub sources: Vec<String>,
}

/// A member's effective permissions, explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePermissions {
    /// Who.
    pub member: MemberRow,
    /// Their record scope for leads.
    pub lead_scope: LeadScope,
    /// Every permission they hold, with its sources.
    pub permissions: Vec<PermissionSource>,
}

/// What the accept-invitation page shows about an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    /// The inviting organization.
    pub organization: String,
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: MemberRole,
    /// Whether it can still be accepted.
    pub open: bool,
    /// Whether an account with that address exists already.
    pub account_exists: bool,
    /// The address of the signed-in viewer, if any.
    pub signed_in_as: Option<String>,
}
