//! `revdesk seed --scale`: benchmark data. Hundreds of organizations with skewed sizes
//! (the largest holds about a tenth of all leads), millions of leads and journey events,
//! bulk-loaded, with a progress bar. One transaction per organization, so an
//! interrupted load keeps what it finished.

use super::SeedError;
use super::copy::{Loader, Row};
use super::generate::{self, TenantRefs, id_at};
use crate::server::password::{self, Password};
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// The slug of the largest benchmark tenant.
pub const LARGEST_SLUG: &str = "bench-largest";
/// Who the benchmark signs in as (an admin of the largest tenant).
pub const BENCH_EMAIL: &str = "bench@revdesk.example";

/// How much to build.
#[derive(Clone, Copy, Debug)]
pub struct ScaleOptions {
    /// Number of organizations.
    pub organizations: usize,
    /// Total leads across them.
    pub leads: u64,
    /// Total journey events across them.
    pub journey_events: u64,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Leads written per bulk statement.
    pub batch_rows: usize,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        ScaleOptions {
            organizations: 300,
            leads: 2_000_000,
            journey_events: 10_000_000,
            progress: true,
            batch_rows: 20_000,
        }
    }
}

/// What was built, and how long it took.
#[derive(Debug)]
pub struct ScaleReport {
    /// False when the data was already there.
    pub built: bool,
    pub organizations: usize,
    pub leads: u64,
    pub journey_events: u64,
    pub largest_tenant_leads: u64,
    pub elapsed: Duration,
    pub database_bytes: i64,
}

/// Lead counts per organization: the first gets a tenth, the rest a Zipf-like share
/// (exponent 0.7, so the second-largest stays well below the first).
pub fn tenant_sizes(organizations: usize, leads: u64) -> Vec<u64> {
    if organizations == 0 {
        return Vec::new();
    }
    let largest = if organizations == 1 {
        leads
    } else {
        leads / 10
    };
    let rest = leads - largest;
    let weights: Vec<f64> = (1..organizations)
        .map(|rank| 1.0 / (rank as f64).powf(0.7))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut sizes = vec![largest];
    sizes.extend(
        weights
            .iter()
            .map(|w| (rest as f64 * w / total).floor() as u64),
    );
    // Rounding leftovers go to the second tenant, keeping the total exact.
    let assigned: u64 = sizes.iter().sum();
    if organizations > 1 {
        sizes[1] += leads - assigned;
    }
    sizes
}

/// Builds the benchmark data unless the largest benchmark tenant already exists.
pub async fn scale(pool: &PgPool, options: ScaleOptions) -> Result<ScaleReport, SeedError> {
    let started = Instant::now();
    let sizes = tenant_sizes(options.organizations, options.leads);
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from organizations where slug = $1) as "exists!""#,
        LARGEST_SLUG
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if exists {
        return report(pool, false, started).await;
    }
    let events_per_lead = options.journey_events as f64 / options.leads.max(1) as f64;
    let password = Password::parse(super::DEMO_PASSWORD.to_owned())
        .map_err(|e| SeedError::Invalid(e.into()))?;
    // One hash for every benchmark user: argon2 is slow on purpose, and these are fixtures.
    let hash = password::hash(&password)
        .await
        .map_err(|e| SeedError::Invalid(e.to_string()))?;
    let bar = progress_bar(options);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut event_debt = 0.0_f64;
    let mut events_written = 0_u64;
    for (index, &lead_count) in sizes.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(7_000 + index as u64);
        let mut tx = crate::server::db::begin_platform(pool).await?;
        let org = tenant(&mut tx, index, &hash, &mut rng, now).await?;
        let mut leads = Loader::new("leads", generate::LEAD_COLUMNS, options.batch_rows);
        // Events refer to leads, so they are written only right after their leads are:
        // never on their own schedule.
        let mut journey = Loader::new("journey_events", generate::JOURNEY_COLUMNS, usize::MAX);
        let mut row = Row::new();
        let mut rows = Vec::new();
        for seq in 0..lead_count {
            let facts = generate::lead_row(&mut rng, &org, now, 720, seq, &mut row);
            leads.push(&mut tx, &mut row).await?;
            event_debt += events_per_lead;
            let n = event_debt.floor() as usize;
            event_debt -= n as f64;
            rows.clear();
            generate::journey_rows(&mut rng, org.organization_id, &facts, now, n, &mut rows);
            for r in &mut rows {
                journey.push(&mut tx, r).await?;
            }
            if leads.pending() == 0 {
                journey.flush(&mut tx).await?;
            }
            if seq % 5_000 == 4_999 {
                bar.inc(5_000);
            }
        }
        leads.flush(&mut tx).await?;
        journey.flush(&mut tx).await?;
        events_written += journey.inserted;
        bar.inc(lead_count % 5_000);
        tx.commit().await?;
    }
    bar.finish_and_clear();
    // VACUUM as well as ANALYZE: freshly loaded pages are not yet all-visible (the
    // visibility map was empty after a fresh build), so index-only scans would read the
    // heap as well and the first readers would write hint bits; a benchmark run right
    // after the build would measure that, not the application.
    sqlx::raw_sql("vacuum (analyze)").execute(pool).await?;
    tracing::info!(events = events_written, "scale data built");
    report(pool, true, started).await
}

fn progress_bar(options: ScaleOptions) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(options.leads);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} leads ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// One benchmark organization with a few members, partners and campaigns.
async fn tenant(
    tx: &mut sqlx::PgConnection,
    index: usize,
    hash: &str,
    rng: &mut StdRng,
    now: i64,
) -> Result<TenantRefs, SeedError> {
    let (slug, name) = if index == 0 {
        (LARGEST_SLUG.to_owned(), "Bench Largest Corp".to_owned())
    } else {
        (
            format!("bench-{index:04}"),
            format!("Bench Tenant {index:04}"),
        )
    };
    let org = id_at(rng, now - 800 * 86_400);
    sqlx::query!(
        "insert into organizations (id, name, slug) values ($1, $2, $3)",
        org,
        name,
        slug
    )
    .execute(&mut *tx)
    .await?;
    let team = id_at(rng, now);
    sqlx::query!(
        "insert into teams (organization_id, id, name) values ($1, $2, 'Sales')",
        org,
        team
    )
    .execute(&mut *tx)
    .await?;
    let mut refs = TenantRefs {
        organization_id: org,
        ..TenantRefs::default()
    };
    for member in 0..5 {
        let email = if index == 0 && member == 0 {
            BENCH_EMAIL.to_owned()
        } else {
            format!("user{member}@{slug}.example")
        };
        let user = id_at(rng, now);
        sqlx::query!(
            "insert into users (id, email, name, password_hash) values ($1, $2::text::citext, $3, $4)",
            user, email, format!("Bench user {member}"), hash,
        )
        .execute(&mut *tx)
        .await?;
        let role = if member == 0 { "admin" } else { "sales_rep" };
        sqlx::query!(
            "insert into organization_members (organization_id, user_id, role, team_id) values ($1, $2, $3::text::member_role, $4)",
            org, user, role, team,
        )
        .execute(&mut *tx)
        .await?;
        refs.owners.push((user, Some(team)));
    }
    for p in 0..3 {
        let partner = id_at(rng, now);
        sqlx::query!(
            "insert into partners (organization_id, id, name, email, referral_code) values ($1, $2, $3, $4::text::citext, $5)",
            org, partner, format!("Partner {p}"), format!("partner{p}@{slug}.example"), format!("ref-{p}-{index}"),
        )
        .execute(&mut *tx)
        .await?;
        let deal = id_at(rng, now);
        sqlx::query!(
            "insert into deals (organization_id, id, partner_id, name, commission_type, commission_value) values ($1, $2, $3, 'Standard', 'percentage', 1000)",
            org, deal, partner,
        )
        .execute(&mut *tx)
        .await?;
        refs.partners.push((partner, Some(deal)));
    }
    for c in 0..2 {
        let campaign = id_at(rng, now);
        sqlx::query!("insert into campaigns (organization_id, id, name, status) values ($1, $2, $3, 'active')", org, campaign, format!("Campaign {c}"))
            .execute(&mut *tx)
            .await?;
        refs.campaigns.push(campaign);
    }
    Ok(refs)
}

async fn report(pool: &PgPool, built: bool, started: Instant) -> Result<ScaleReport, SeedError> {
    let mut tx = crate::server::db::begin_platform(pool).await?;
    let row = sqlx::query!(
        r#"select (select count(*) from organizations where slug like 'bench-%') as "organizations!",
                  (select count(*) from leads l join organizations o on o.id = l.organization_id where o.slug like 'bench-%') as "leads!",
                  (select count(*) from journey_events) as "events!",
                  (select count(*) from leads l join organizations o on o.id = l.organization_id where o.slug = $1) as "largest!",
                  pg_database_size(current_database()) as "bytes!""#,
        LARGEST_SLUG
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ScaleReport {
        built,
        organizations: row.organizations as usize,
        leads: row.leads as u64,
        journey_events: row.events as u64,
        largest_tenant_leads: row.largest as u64,
        elapsed: started.elapsed(),
        database_bytes: row.bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_skewed_and_add_up() {
        let sizes = tenant_sizes(300, 2_000_000);
        assert_eq!(sizes.len(), 300);
        assert_eq!(sizes.iter().sum::<u64>(), 2_000_000);
        assert_eq!(sizes[0], 200_000, "the first tenant holds a tenth");
        assert!(
            sizes[1..].iter().all(|&s| s < sizes[0] * 6 / 10),
            "and is clearly the largest"
        );
        assert!(sizes[1] > sizes[50] && sizes[50] > sizes[299]);
        assert!(sizes[299] > 0);
    }
}
