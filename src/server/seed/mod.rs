//! `revdesk seed`: deterministic demo data, and `revdesk seed --scale`: benchmark data.

mod catalog;
mod copy;
mod generate;
mod people;
mod scale;
mod tenant;

pub use people::{DEMO_PASSWORD, DemoLogin, create_admin, demo_logins, user_id};
pub use scale::{ScaleOptions, ScaleReport, scale};

use sqlx::PgPool;

/// What `seed` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Demo data was written.
    Seeded,
    /// Organizations already existed and `if_empty` was set.
    Skipped,
}

/// How many leads each demo organization gets (the rest of its data scales with it).
const DEMO_LEADS: &[(&str, usize)] = &[("northwind", 600), ("lumen", 150), ("harbor-pine", 40)];

/// Writes the demo data in one transaction, as the platform role. With `if_empty`, does
/// nothing when any organization exists (so `make run` seeds only the first time).
/// Running it again refreshes people and leaves existing tenant data alone.
pub async fn demo(pool: &PgPool, if_empty: bool) -> Result<Outcome, SeedError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    // Serialise concurrent seeders (two `make run`s at once).
    sqlx::query!("select pg_advisory_xact_lock(hashtext('revdesk seed'))")
        .execute(&mut *tx)
        .await?;
    let existing = sqlx::query_scalar!(r#"select count(*) as "n!" from organizations"#)
        .fetch_one(&mut *tx)
        .await?;
    if if_empty && existing > 0 {
        return Ok(Outcome::Skipped);
    }
    catalog::write(&mut tx).await?;
    let orgs = people::write(&mut tx).await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (index, org) in orgs.iter().enumerate() {
        let has_leads = sqlx::query_scalar!(
            r#"select exists (select 1 from leads where organization_id = $1) as "exists!""#,
            org.id
        )
        .fetch_one(&mut *tx)
        .await?;
        if has_leads {
            continue;
        }
        let leads = DEMO_LEADS
            .iter()
            .find(|(slug, _)| *slug == org.slug)
            .map_or(50, |(_, n)| *n);
        tenant::write(&mut tx, org, leads, 2026 + index as u64, now).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Seeded)
}

/// Seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The demo data itself is inconsistent (a bug in the seed).
    #[error("{0}")]
    Invalid(String),
}
