//! Periodic housekeeping: expired sessions, old sign-in failures, lapsed invitations.

use sqlx::PgPool;
use std::time::Duration;

/// Deletes what has expired, once now and then every five minutes, forever. Errors are
/// logged and retried at the next tick; several servers may run it at once.
pub async fn run(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        if let Err(err) = sweep(&pool).await {
            tracing::warn!(error = %err, "upkeep failed; retrying at the next tick");
        }
    }
}

/// One pass of housekeeping.
pub async fn sweep(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from tower_sessions.session where expiry_date < now()")
        .execute(pool)
        .await?;
    sqlx::query!(
        "delete from user_sessions where expires_at < now() or absolute_expires_at < now()"
    )
    .execute(pool)
    .await?;
    sqlx::query!("delete from sign_in_failures where created_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    let mut tx = super::db::begin_platform(pool).await?;
    sqlx::query!(
        "update invitations set status = 'expired' where status = 'pending' and expires_at < now()"
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
