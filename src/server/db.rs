//! The connection pool, migrations and the readiness check.

use crate::status::model::DatabaseStatus;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Opens a pool. Connections are checked out lazily, so a server can start (and answer
/// `/healthz`) while the database is still coming up; `/readyz` tells the difference.
pub fn connect_lazy(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy(url)
}

/// Applies every migration not yet applied. Safe to run from several processes at once:
/// sqlx serialises them with an advisory lock.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// One round trip that also reads the migration history: proves the database answers
/// and the schema is there.
pub async fn check(pool: &PgPool) -> Result<DatabaseStatus, sqlx::Error> {
    let started = Instant::now();
    let row = sqlx::query!(
        r#"select count(*) as "applied!", max(description) filter (where version = (select max(version) from _sqlx_migrations)) as latest
           from _sqlx_migrations where success"#
    )
    .fetch_one(pool)
    .await?;
    Ok(DatabaseStatus {
        round_trip_ms: started.elapsed().as_secs_f64() * 1000.0,
        migrations_applied: row.applied,
        latest_migration: row.latest,
    })
}
