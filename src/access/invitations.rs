//! Accepting an invitation. The link's token names no organization, so the lookup runs
//! as the platform role; everything it writes is for the invitation's own organization.

use super::model::{InvitationInfo, MemberRole};
use crate::auth::model::parse_name;
use crate::error::AppError;
use crate::server::audit;
use crate::server::password::{self, Password};
use crate::server::session::{AuthSession, current_user, request_meta_of_current};
use crate::server::state::AppState;
use leptos::prelude::expect_context;
use serde_json::json;
use uuid::Uuid;

struct Found {
    organization_id: Uuid,
    id: Uuid,
    organization: String,
    slug: String,
    email: String,
    role: MemberRole,
    team_id: Option<Uuid>,
    open: bool,
    user_id: Option<Uuid>,
}

async fn find(tx: &mut sqlx::PgConnection, token: &str) -> Result<Found, AppError> {
    let hash = crate::server::tokens::hash(token);
    // Locked, so two clicks on the link cannot both create the membership.
    let row = sqlx::query!(
        r#"select i.organization_id, i.id, o.name, o.slug, i.email::text as "email!", i.role as "role: MemberRole",
                  i.team_id, (i.status = 'pending' and i.expires_at > now() and o.status = 'active') as "open!",
                  (select u.id from users u where u.email = i.email) as user_id
           from invitations i join organizations o on o.id = i.organization_id
           where i.token_hash = $1 and o.deleted_at is null
           for update of i"#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| Found {
        organization_id: r.organization_id,
        id: r.id,
        organization: r.name,
        slug: r.slug,
        email: r.email,
        role: r.role,
        team_id: r.team_id,
        open: r.open,
        user_id: r.user_id,
    });
    row.ok_or(AppError::NotFound)
}

/// What the accept page shows. Unknown tokens are `NotFound`.
pub async fn info(token: &str) -> Result<InvitationInfo, AppError> {
    let state = expect_context::<AppState>();
    let mut tx = crate::server::db::begin_platform(&state.pool).await?;
    let found = find(&mut tx, token).await?;
    tx.commit().await?;
    Ok(InvitationInfo {
        organization: found.organization,
        email: found.email,
        role: found.role,
        open: found.open,
        account_exists: found.user_id.is_some(),
        signed_in_as: current_user().map(|u| u.viewer.email),
    })
}

/// Accepts the invitation and returns the organization's slug. The signed-in user must
/// be the invited address; without a session, an account is created when none exists
/// (and an existing account must sign in first, so nobody joins on someone's behalf).
pub async fn accept(
    token: &str,
    name: Option<String>,
    password: Option<String>,
) -> Result<String, AppError> {
    let state = expect_context::<AppState>();
    let meta = request_meta_of_current();
    let viewer = current_user();
    let mut tx = crate::server::db::begin_platform(&state.pool).await?;
    let found = find(&mut tx, token).await?;
    if !found.open {
        return Err(AppError::Conflict(
            "This invitation has expired or was withdrawn. Ask the organization for a new one."
                .into(),
        ));
    }
    let (user_id, new_account) = match (&viewer, found.user_id) {
        (Some(v), _) if v.viewer.email.eq_ignore_ascii_case(&found.email) => (v.viewer.id, false),
        (Some(_), _) => {
            return Err(AppError::Conflict(format!(
                "This invitation is for {}. Sign out and sign in with that address to accept it.",
                found.email
            )));
        }
        (None, Some(_)) => return Err(AppError::Unauthenticated),
        (None, None) => {
            let mut errors = std::collections::BTreeMap::new();
            let name = parse_name(name.as_deref().unwrap_or(""), "your name")
                .map_err(|m| errors.insert("name".into(), m))
                .ok();
            let password = Password::parse(password.unwrap_or_default())
                .map_err(|m| errors.insert("password".into(), m.to_owned()))
                .ok();
            let (Some(name), Some(password)) = (name, password) else {
                return Err(AppError::Validation(errors));
            };
            let hash = password::hash(&password).await.map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })?;
            let id = Uuid::now_v7();
            sqlx::query!(
                "insert into users (id, email, password_hash, name, email_verified_at) values ($1, $2, $3, $4, now())",
                id,
                found.email,
                hash,
                name
            )
            .execute(&mut *tx)
            .await?;
            (id, true)
        }
    };
    sqlx::query!(
        "insert into organization_members (organization_id, user_id, role, team_id, invited_by)
         select $1, $2, $3, $4, invited_by from invitations where organization_id = $1 and id = $5
         on conflict (organization_id, user_id) do nothing",
        found.organization_id,
        user_id,
        found.role as MemberRole,
        found.team_id,
        found.id,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update invitations set status = 'accepted', accepted_by = $3, accepted_at = now()
         where organization_id = $1 and id = $2",
        found.organization_id,
        found.id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        found.organization_id,
        audit::Actor {
            user_id: Some(user_id),
            support_session_id: None,
        },
        &meta,
        audit::Entry {
            action: "invitation.accepted",
            entity_type: "invitation",
            entity_id: Some(found.id.to_string()),
            before: Some(json!({ "status": "pending" })),
            after: Some(json!({ "status": "accepted", "role": found.role.key(), "new_account": new_account })),
        },
    )
    .await?;
    tx.commit().await?;
    let session = AuthSession::current()?;
    if new_account {
        session
            .sign_in(&state.pool, user_id, &meta, &state.security)
            .await?;
    } else {
        // New privileges: a new session id.
        session.rotate().await?;
    }
    Ok(found.slug)
}
