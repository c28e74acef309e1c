//! The SQL behind the account pages. Users, sessions and reset tokens are global (not
//! tenant rows); organization rows created at sign-up go through the platform role.

use super::api::SIGN_IN_FAILED;
use super::model::{Account, EmailAddress, SessionInfo, parse_name, slugify};
use crate::error::AppError;
use crate::server::audit;
use crate::server::password::{self, Password};
use crate::server::session::{CurrentUser, request_meta_of_current};
use crate::server::state::AppState;
use leptos::prelude::expect_context;
use serde_json::json;
use sqlx::PgPool;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Failed sign-ins allowed per email address within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins allowed per client address within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_CLIENT: i64 = 20;
/// The sliding window the limits count over.
pub const WINDOW_MINUTES: f64 = 15.0;

fn hash_error(err: password::HashError) -> AppError {
    tracing::error!(error = %err, "password hashing failed");
    AppError::Internal
}

fn state() -> AppState {
    expect_context::<AppState>()
}

/// Checks email and password, with throttling, a dummy hash for unknown addresses, a
/// record of every attempt, and an upgrade of an old hash on success. Returns the user.
pub async fn authenticate(email: &EmailAddress, password: &Password) -> Result<Uuid, AppError> {
    let pool = state().pool.clone();
    let meta = request_meta_of_current();
    let ip = meta.ip.map(|ip| ip.to_string());
    let counts = sqlx::query!(
        r#"select
             (select count(*) from sign_in_failures
              where email = $1 and created_at > now() - make_interval(mins => $3::float8::int)) as "account!",
             (select count(*) from sign_in_failures
              where ip = $2::text::inet and created_at > now() - make_interval(mins => $3::float8::int)) as "client!""#,
        email.as_str(),
        ip,
        WINDOW_MINUTES,
    )
    .fetch_one(&pool)
    .await?;
    let mut conn = pool.acquire().await?;
    if counts.account >= MAX_FAILURES_PER_ACCOUNT || counts.client >= MAX_FAILURES_PER_CLIENT {
        audit::record_platform(
            &mut conn,
            None,
            None,
            "sign_in.throttled",
            json!({ "email": email.as_str() }),
            &meta,
        )
        .await?;
        return Err(AppError::RateLimited);
    }
    let user = sqlx::query!(
        r#"select id, password_hash, status::text as "status!" from users where email = $1"#,
        email.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify_or_dummy(password, stored.as_deref())
        .await
        .map_err(hash_error)?;
    let active = user.as_ref().is_some_and(|u| u.status == "active");
    let Some(user) = user.filter(|_| matches && active) else {
        sqlx::query!(
            "insert into sign_in_failures (id, email, ip) values ($1, $2, $3::text::inet)",
            Uuid::now_v7(),
            email.as_str(),
            ip,
        )
        .execute(&mut *conn)
        .await?;
        audit::record_platform(
            &mut conn,
            None,
            None,
            "sign_in.failed",
            json!({ "email": email.as_str() }),
            &meta,
        )
        .await?;
        return Err(AppError::field("form", SIGN_IN_FAILED));
    };
    if stored.as_deref().is_some_and(password::needs_rehash) {
        let upgraded = password::hash(password).await.map_err(hash_error)?;
        sqlx::query!(
            "update users set password_hash = $2 where id = $1",
            user.id,
            upgraded
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "update users set last_login_at = now() where id = $1",
        user.id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from sign_in_failures where email = $1",
        email.as_str()
    )
    .execute(&mut *conn)
    .await?;
    audit::record_platform(
        &mut conn,
        Some(user.id),
        None,
        "sign_in.succeeded",
        json!({ "email": email.as_str() }),
        &meta,
    )
    .await?;
    Ok(user.id)
}

/// Where a user lands after signing in: their first organization (the portal for a
/// partner), the console for a platform admin, else their account page.
pub async fn home_path(pool: &PgPool, user_id: Uuid) -> Result<String, AppError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let first = sqlx::query!(
        r#"select o.slug, m.role::text as "role!" from organization_members m
               join organizations o on o.id = m.organization_id
           where m.user_id = $1 and m.status = 'active' and o.deleted_at is null
           order by m.joined_at, o.name limit 1"#,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let admin = sqlx::query_scalar!("select is_platform_admin from users where id = $1", user_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(match first {
        Some(m) if m.role == "partner" => format!("/o/{}/portal", m.slug),
        Some(m) => format!("/o/{}", m.slug),
        None if admin => "/admin".to_owned(),
        None => "/account".to_owned(),
    })
}

/// Creates the user, the organization (with a free slug) and the owner membership, and
/// signs the new owner in. Returns the organization's slug.
pub async fn sign_up(
    name: &str,
    email: &str,
    password: String,
    organization: &str,
) -> Result<String, AppError> {
    let mut errors = std::collections::BTreeMap::new();
    let name = parse_name(name, "your name")
        .map_err(|m| errors.insert("name".into(), m))
        .ok();
    let email = EmailAddress::parse(email)
        .map_err(|m| errors.insert("email".into(), m.to_owned()))
        .ok();
    let password = Password::parse(password)
        .map_err(|m| errors.insert("password".into(), m.to_owned()))
        .ok();
    let org_name = parse_name(organization, "the organization's name")
        .map_err(|m| errors.insert("organization".into(), m))
        .ok();
    let (Some(name), Some(email), Some(password), Some(org_name)) =
        (name, email, password, org_name)
    else {
        return Err(AppError::Validation(errors));
    };
    let hash = password::hash(&password).await.map_err(hash_error)?;
    let state = state();
    let meta = request_meta_of_current();
    let mut tx = crate::server::db::begin_platform(&state.pool).await?;
    let user_id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into users (id, email, password_hash, name) values ($1, $2, $3, $4) on conflict do nothing",
        user_id,
        email.as_str(),
        hash,
        name,
    )
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field(
            "email",
            "An account with this email already exists. Sign in instead, or reset the password.",
        ));
    }
    let base = slugify(&org_name);
    let taken: Vec<String> = sqlx::query_scalar!(
        "select slug from organizations where slug = $1 or slug like $1 || '-%'",
        base
    )
    .fetch_all(&mut *tx)
    .await?;
    let slug = (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|s| !taken.contains(s))
        .expect("an unbounded range has a free slug");
    let org_id = Uuid::now_v7();
    sqlx::query!(
        "insert into organizations (id, name, slug, billing_email) values ($1, $2, $3, $4)",
        org_id,
        org_name,
        slug,
        email.as_str(),
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        // Two sign-ups with the same name at the same moment: one wins the slug.
        sqlx::Error::Database(d) if d.constraint() == Some("organizations_slug_key") => AppError::field(
            "organization",
            "Another organization took this name a moment ago. Submit again to get a free address.",
        ),
        _ => e.into(),
    })?;
    sqlx::query!(
        "insert into organization_members (organization_id, user_id, role) values ($1, $2, 'owner')",
        org_id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        org_id,
        audit::Actor {
            user_id: Some(user_id),
            support_session_id: None,
        },
        &meta,
        audit::Entry {
            action: "organization.created",
            entity_type: "organization",
            entity_id: Some(org_id.to_string()),
            before: None,
            after: Some(json!({ "name": org_name, "slug": slug, "owner": email.as_str() })),
        },
    )
    .await?;
    tx.commit().await?;
    crate::server::session::AuthSession::current()?
        .sign_in(&state.pool, user_id, &meta, &state.security)
        .await?;
    Ok(slug)
}

/// Ends the user's sessions: the one with public id `only`, or all of them.
pub async fn end_sessions(user_id: Uuid, only: Option<&str>) -> Result<(), AppError> {
    let pool = state().pool.clone();
    let mut tx = crate::server::db::begin(&pool).await?;
    let ended = sqlx::query!(
        "delete from user_sessions
         where user_id = $1 and ($2::text is null or encode(sha256(session_id::bytea), 'hex') = $2)",
        user_id,
        only,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let action = if only.is_some() {
        "session.revoked"
    } else {
        "session.revoked_all"
    };
    audit::record_platform(
        &mut tx,
        Some(user_id),
        None,
        action,
        json!({ "sessions": ended }),
        &request_meta_of_current(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a reset link for the address, if it has an active account. Silent otherwise.
pub async fn request_password_reset(email: &EmailAddress) -> Result<(), AppError> {
    let state = state();
    let mut tx = crate::server::db::begin(&state.pool).await?;
    let user = sqlx::query!(
        "select id, name from users where email = $1 and status = 'active'",
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let meta = request_meta_of_current();
    if let Some(user) = user {
        let (token, hash) = crate::server::tokens::generate();
        sqlx::query!(
            "insert into password_reset_tokens (id, user_id, token_hash, expires_at)
             values ($1, $2, $3, now() + interval '1 hour')",
            Uuid::now_v7(),
            user.id,
            hash,
        )
        .execute(&mut *tx)
        .await?;
        let link = format!(
            "{}/reset-password?token={token}",
            crate::server::mail::base_url(&state.security)
        );
        crate::server::mail::enqueue(
            &mut tx,
            None,
            email.as_str(),
            "Reset your Revdesk password",
            &format!(
                "Hello {},\n\nSomeone (hopefully you) asked to reset your Revdesk password. \
                 Open this link within an hour to choose a new one:\n\n{link}\n\n\
                 If it was not you, ignore this message: your password stays as it is.\n",
                user.name
            ),
        )
        .await?;
        audit::record_platform(
            &mut tx,
            Some(user.id),
            None,
            "password.reset_requested",
            json!({}),
            &meta,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Uses a reset token: sets the password, spends the token, ends every session.
pub async fn reset_password(token: &str, password: &Password) -> Result<(), AppError> {
    let expired = || {
        AppError::field(
            "token",
            "This reset link has expired or was already used. Ask for a new one.",
        )
    };
    let hash = password::hash(password).await.map_err(hash_error)?;
    let state = state();
    let mut tx = crate::server::db::begin(&state.pool).await?;
    let user_id = sqlx::query_scalar!(
        "update password_reset_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id",
        crate::server::tokens::hash(token),
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(expired)?;
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("delete from user_sessions where user_id = $1", user_id)
        .execute(&mut *tx)
        .await?;
    audit::record_platform(
        &mut tx,
        Some(user_id),
        None,
        "password.reset",
        json!({}),
        &request_meta_of_current(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The account page's data.
pub async fn account(user: &CurrentUser) -> Result<Account, AppError> {
    let pool = state().pool.clone();
    let rows = sqlx::query!(
        r#"select encode(sha256(session_id::bytea), 'hex') as "id!", session_id = $2 as "current!",
                  host(ip) as ip, user_agent, created_at, last_seen_at
           from user_sessions where user_id = $1 and expires_at > now() and absolute_expires_at > now()
           order by (session_id = $2) desc, last_seen_at desc"#,
        user.viewer.id,
        user.handle,
    )
    .fetch_all(&pool)
    .await?;
    Ok(Account {
        viewer: user.viewer.clone(),
        sessions: rows
            .into_iter()
            .map(|r| SessionInfo {
                id: r.id,
                current: r.current,
                ip: r.ip,
                user_agent: r.user_agent,
                created_at: rfc3339(r.created_at),
                last_seen_at: rfc3339(r.last_seen_at),
            })
            .collect(),
    })
}

/// Renames the user.
pub async fn update_name(user: &CurrentUser, name: &str) -> Result<(), AppError> {
    let pool = state().pool.clone();
    let mut tx = crate::server::db::begin(&pool).await?;
    sqlx::query!(
        "update users set name = $2 where id = $1",
        user.viewer.id,
        name
    )
    .execute(&mut *tx)
    .await?;
    audit::record_platform(
        &mut tx,
        Some(user.viewer.id),
        None,
        "profile.updated",
        json!({ "before": { "name": user.viewer.name }, "after": { "name": name } }),
        &request_meta_of_current(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks the current password, sets the new one and ends the user's other sessions.
pub async fn change_password(
    user: &CurrentUser,
    current: &Password,
    new: &Password,
) -> Result<(), AppError> {
    let pool = state().pool.clone();
    let stored = sqlx::query_scalar!(
        "select password_hash from users where id = $1",
        user.viewer.id
    )
    .fetch_one(&pool)
    .await?;
    if !password::verify_or_dummy(current, stored.as_deref())
        .await
        .map_err(hash_error)?
    {
        return Err(AppError::field(
            "current",
            "That is not your current password.",
        ));
    }
    let hash = password::hash(new).await.map_err(hash_error)?;
    let mut tx = crate::server::db::begin(&pool).await?;
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user.viewer.id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "delete from user_sessions where user_id = $1 and session_id <> $2",
        user.viewer.id,
        user.handle
    )
    .execute(&mut *tx)
    .await?;
    audit::record_platform(
        &mut tx,
        Some(user.viewer.id),
        None,
        "password.changed",
        json!({}),
        &request_meta_of_current(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
