//! Server functions of the account pages: sign up, sign in, sign out, password reset,
//! profile, password change and sessions.

use super::model::Account;
use crate::error::AppError;
use leptos::prelude::*;

/// The message for every failed sign-in, whatever failed: unknown email, wrong
/// password, disabled account. Identical so the form reveals nothing.
pub const SIGN_IN_FAILED: &str =
    "That email and password do not match an account. Check both, or reset your password.";

/// Where to go after signing in: `next` if it is a path on this site, else `fallback`.
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        // Browsers drop tabs and newlines inside URLs ("/\t/evil" becomes "//evil"), so
        // any control or space character disqualifies the target.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// Where the signed-in viewer starts (their first organization, or the console, or the
/// account page); `None` for anonymous visitors.
#[server(endpoint = "load_home")]
pub async fn load_home() -> Result<Option<String>, AppError> {
    let Some(user) = crate::server::session::current_user() else {
        return Ok(None);
    };
    let state = expect_context::<crate::server::state::AppState>();
    super::db::home_path(&state.pool, user.viewer.id)
        .await
        .map(Some)
}

/// Signs in with email and password, then goes to `next` or the first organization.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::password::Password;
    let email =
        super::model::EmailAddress::parse(&email).map_err(|m| AppError::field("email", m))?;
    let password = Password::for_sign_in(password).map_err(|m| AppError::field("password", m))?;
    let user_id = super::db::authenticate(&email, &password).await?;
    let state = expect_context::<crate::server::state::AppState>();
    let meta = crate::server::session::request_meta_of_current();
    crate::server::session::AuthSession::current()?
        .sign_in(&state.pool, user_id, &meta, &state.security)
        .await?;
    let home = super::db::home_path(&state.pool, user_id).await?;
    leptos_axum::redirect(&safe_next(next.as_deref(), &home));
    Ok(())
}

/// Creates an organization and its owner account, and signs the owner in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    organization: String,
) -> Result<(), AppError> {
    let slug = super::db::sign_up(&name, &email, password, &organization).await?;
    leptos_axum::redirect(&format!("/o/{slug}?notice=welcome"));
    Ok(())
}

/// Ends this session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::server::session::AuthSession::current()?
        .sign_out(&state.pool)
        .await?;
    leptos_axum::redirect("/sign-in?notice=signed_out");
    Ok(())
}

/// Ends every session of the signed-in user, this one included.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let user = crate::server::session::require_user()?;
    super::db::end_sessions(user.viewer.id, None).await?;
    let state = expect_context::<crate::server::state::AppState>();
    crate::server::session::AuthSession::current()?
        .sign_out(&state.pool)
        .await?;
    leptos_axum::redirect("/sign-in?notice=signed_out_everywhere");
    Ok(())
}

/// Sends a reset link if the address has an account. Answers the same either way.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let email =
        super::model::EmailAddress::parse(&email).map_err(|m| AppError::field("email", m))?;
    super::db::request_password_reset(&email).await?;
    leptos_axum::redirect("/forgot-password?notice=reset_sent");
    Ok(())
}

/// Sets a new password with a reset token; ends every session of that user.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::server::password::Password;
    let password = Password::parse(password).map_err(|m| AppError::field("password", m))?;
    super::db::reset_password(&token, &password).await?;
    leptos_axum::redirect("/sign-in?notice=password_reset");
    Ok(())
}

/// The account page: who is signed in and their sessions.
#[server(endpoint = "load_account")]
pub async fn load_account() -> Result<Account, AppError> {
    let user = crate::server::session::require_user()?;
    super::db::account(&user).await
}

/// Changes the display name.
#[server(endpoint = "update_profile")]
pub async fn update_profile(name: String) -> Result<(), AppError> {
    let user = crate::server::session::require_user()?;
    let name =
        super::model::parse_name(&name, "your name").map_err(|m| AppError::field("name", &m))?;
    super::db::update_name(&user, &name).await?;
    leptos_axum::redirect("/account?notice=profile_saved");
    Ok(())
}

/// Changes the password after checking the current one; other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    use crate::server::password::Password;
    let user = crate::server::session::require_user()?;
    let current = Password::for_sign_in(current).map_err(|m| AppError::field("current", m))?;
    let password = Password::parse(password).map_err(|m| AppError::field("password", m))?;
    super::db::change_password(&user, &current, &password).await?;
    crate::server::session::AuthSession::current()?
        .rotate()
        .await?;
    leptos_axum::redirect("/account?notice=password_changed");
    Ok(())
}

/// Ends one of the signed-in user's other sessions.
#[server(endpoint = "revoke_session")]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    let user = crate::server::session::require_user()?;
    super::db::end_sessions(user.viewer.id, Some(&id)).await?;
    leptos_axum::redirect("/account?notice=session_revoked");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(
            safe_next(Some("/o/acme/leads?x=1"), "/"),
            "/o/acme/leads?x=1"
        );
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/\t/evil.example",
            "/\n/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil), "/home"), "/home", "{evil}");
        }
        assert_eq!(safe_next(None, "/home"), "/home");
    }
}
