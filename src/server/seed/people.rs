//! The people of the demo: three organizations, their teams, and a user for every
//! system role in the largest, all with the same demo password.

use super::SeedError;
use crate::server::password::{self, Password};
use sqlx::PgPool;
use uuid::Uuid;

/// The password of every demo user. Printed by `make run`; never use it elsewhere.
pub const DEMO_PASSWORD: &str = "revdesk-demo-2026";

/// One demo sign-in: who, and what they can do.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    /// The email to sign in with.
    pub email: &'static str,
    /// The role, in words.
    pub role: &'static str,
    /// The organization, or "platform" for the operator.
    pub organization: &'static str,
}

struct DemoOrg {
    name: &'static str,
    slug: &'static str,
    billing_email: &'static str,
    website: &'static str,
    teams: &'static [&'static str],
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "Northwind Traders",
        slug: "northwind",
        billing_email: "billing@northwind.example",
        website: "https://northwind.example",
        teams: &["Enterprise", "Mid-market", "Partnerships"],
    },
    DemoOrg {
        name: "Lumen Analytics",
        slug: "lumen",
        billing_email: "finance@lumen.example",
        website: "https://lumen.example",
        teams: &["Inbound"],
    },
    DemoOrg {
        name: "Harbor & Pine Consulting",
        slug: "harbor-pine",
        billing_email: "accounts@harborpine.example",
        website: "https://harborpine.example",
        teams: &[],
    },
];

/// (email, name, role, organization slug, team index)
const MEMBERS: &[(&str, &str, &str, &str, Option<usize>)] = &[
    (
        "owner@northwind.example",
        "Olivia Hart",
        "owner",
        "northwind",
        None,
    ),
    (
        "admin@northwind.example",
        "Aaron Blake",
        "admin",
        "northwind",
        None,
    ),
    (
        "manager@northwind.example",
        "Maya Chen",
        "manager",
        "northwind",
        Some(0),
    ),
    (
        "rep@northwind.example",
        "Ravi Patel",
        "sales_rep",
        "northwind",
        Some(0),
    ),
    (
        "rep2@northwind.example",
        "Sofia Ortiz",
        "sales_rep",
        "northwind",
        Some(1),
    ),
    (
        "marketing@northwind.example",
        "Mark Ellis",
        "marketing",
        "northwind",
        None,
    ),
    (
        "finance@northwind.example",
        "Fiona Grant",
        "finance",
        "northwind",
        None,
    ),
    (
        "viewer@northwind.example",
        "Victor Lang",
        "viewer",
        "northwind",
        None,
    ),
    (
        "partner@northwind.example",
        "Priya Nair",
        "partner",
        "northwind",
        None,
    ),
    (
        "owner@lumen.example",
        "Lena Fischer",
        "owner",
        "lumen",
        None,
    ),
    (
        "owner@harborpine.example",
        "Hugo Pine",
        "owner",
        "harbor-pine",
        None,
    ),
    // One person in two organizations, with a different role in each.
    (
        "admin@northwind.example",
        "Aaron Blake",
        "viewer",
        "lumen",
        None,
    ),
];

/// The platform operator.
const PLATFORM_ADMIN: (&str, &str) = ("operator@revdesk.example", "Pat Operator");

/// The demo sign-ins, for printing.
pub fn demo_logins() -> Vec<DemoLogin> {
    let mut logins = vec![DemoLogin {
        email: PLATFORM_ADMIN.0,
        role: "platform admin",
        organization: "platform",
    }];
    logins.extend(
        MEMBERS
            .iter()
            .filter(|m| m.3 == "northwind")
            .map(|m| DemoLogin {
                email: m.0,
                role: m.2,
                organization: "Northwind Traders",
            }),
    );
    logins
}

/// The ids the tenant data of one organization hangs on.
pub struct OrgPeople {
    /// The organization's slug.
    pub slug: &'static str,
    /// The organization's id.
    pub id: Uuid,
    /// (user id, role, team id) of every member, in `MEMBERS` order.
    pub members: Vec<(Uuid, &'static str, Option<Uuid>)>,
    /// Team ids in `teams` order.
    pub teams: Vec<Uuid>,
}

/// Writes (or refreshes) organizations, teams, users and memberships.
pub async fn write(tx: &mut sqlx::PgConnection) -> Result<Vec<OrgPeople>, SeedError> {
    let demo_password =
        Password::parse(DEMO_PASSWORD.to_owned()).map_err(|e| SeedError::Invalid(e.into()))?;
    let mut orgs = Vec::new();
    for org in ORGS {
        let id = sqlx::query_scalar!(
            "insert into organizations (id, name, slug, billing_email, website)
             values ($1, $2, $3, $4, $5)
             on conflict (slug) do update set name = excluded.name
             returning id",
            Uuid::now_v7(),
            org.name,
            org.slug,
            org.billing_email,
            org.website,
        )
        .fetch_one(&mut *tx)
        .await?;
        let mut teams = Vec::new();
        for team in org.teams {
            let team_id = sqlx::query_scalar!(
                "insert into teams (organization_id, id, name) values ($1, $2, $3)
                 on conflict (organization_id, lower(name)) do update set name = excluded.name
                 returning id",
                id,
                Uuid::now_v7(),
                team,
            )
            .fetch_one(&mut *tx)
            .await?;
            teams.push(team_id);
        }
        orgs.push(OrgPeople {
            slug: org.slug,
            id,
            members: Vec::new(),
            teams,
        });
    }

    let admin_id =
        upsert_user(&mut *tx, PLATFORM_ADMIN.0, PLATFORM_ADMIN.1, &demo_password).await?;
    sqlx::query!(
        "update users set is_platform_admin = true where id = $1",
        admin_id
    )
    .execute(&mut *tx)
    .await?;

    for (email, name, role, slug, team) in MEMBERS {
        let user_id = upsert_user(&mut *tx, email, name, &demo_password).await?;
        let org = orgs
            .iter_mut()
            .find(|o| o.slug == *slug)
            .ok_or_else(|| SeedError::Invalid(format!("unknown organization {slug}")))?;
        let team_id = team.and_then(|i| org.teams.get(i).copied());
        sqlx::query!(
            "insert into organization_members (organization_id, user_id, role, team_id)
             values ($1, $2, $3::text::member_role, $4)
             on conflict (organization_id, user_id) do update set role = excluded.role, team_id = excluded.team_id",
            org.id,
            user_id,
            role,
            team_id,
        )
        .execute(&mut *tx)
        .await?;
        org.members.push((user_id, role, team_id));
    }
    Ok(orgs)
}

async fn upsert_user(
    tx: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    password: &Password,
) -> Result<Uuid, SeedError> {
    if let Some(id) =
        sqlx::query_scalar!("select id from users where email = $1::text::citext", email)
            .fetch_optional(&mut *tx)
            .await?
    {
        return Ok(id);
    }
    let hash = password::hash(password)
        .await
        .map_err(|e| SeedError::Invalid(e.to_string()))?;
    let id = sqlx::query_scalar!(
        "insert into users (id, email, name, password_hash, email_verified_at)
         values ($1, $2::text::citext, $3, $4, now()) returning id",
        Uuid::now_v7(),
        email,
        name,
        hash,
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// Creates (or promotes) a platform administrator. Returns whether the user was new.
pub async fn create_admin(
    pool: &PgPool,
    email: &str,
    name: &str,
    password: &Password,
) -> Result<bool, SeedError> {
    let hash = password::hash(password)
        .await
        .map_err(|e| SeedError::Invalid(e.to_string()))?;
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let inserted = sqlx::query_scalar!(
        r#"insert into users (id, email, name, password_hash, is_platform_admin, email_verified_at)
           values ($1, $2::text::citext, $3, $4, true, now())
           on conflict (email) do update
               set is_platform_admin = true, password_hash = excluded.password_hash, name = excluded.name
           returning (xmax = 0) as "inserted!""#,
        Uuid::now_v7(),
        email,
        name,
        hash,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(inserted)
}

/// The id of the user with this email, if there is one (the benchmark acts as them).
pub async fn user_id(pool: &PgPool, email: &str) -> Result<Option<Uuid>, SeedError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let id = sqlx::query_scalar!("select id from users where email = $1::text::citext", email)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}
