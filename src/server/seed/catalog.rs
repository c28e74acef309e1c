//! The platform catalogue: plans, billable actions, credit packs and a coupon.

use super::SeedError;
use uuid::Uuid;

/// (code, name, monthly price in cents, included credits, max users, trial days)
pub const PLANS: &[(&str, &str, i64, i64, Option<i32>, i32)] = &[
    ("starter", "Starter", 4_900, 1_000, Some(5), 14),
    ("growth", "Growth", 19_900, 5_000, Some(25), 14),
    ("scale", "Scale", 79_900, 25_000, None, 0),
];

/// Upserts the catalogue (idempotent).
pub async fn write(tx: &mut sqlx::PgConnection) -> Result<(), SeedError> {
    for (code, name, price, credits, max_users, trial) in PLANS {
        let features: Vec<String> = match *code {
            "starter" => vec!["leads".into(), "partners".into()],
            "growth" => vec![
                "leads".into(),
                "partners".into(),
                "funnels".into(),
                "api".into(),
            ],
            _ => vec![
                "leads".into(),
                "partners".into(),
                "funnels".into(),
                "api".into(),
                "sso".into(),
            ],
        };
        sqlx::query!(
            "insert into subscription_plans (id, code, name, price_minor, included_credits, max_users, features, trial_days)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (code) do update set name = excluded.name, price_minor = excluded.price_minor",
            Uuid::now_v7(),
            code,
            name,
            price,
            credits,
            *max_users,
            &features,
            trial,
        )
        .execute(&mut *tx)
        .await?;
    }
    for (key, description, cost) in [
        ("lead.score", "Score a lead", 1_i64),
        ("lead.enrich", "Enrich a lead with company data", 5),
        ("import.row", "Import one CSV row", 1),
        ("report.generate", "Generate an assessment report", 50),
    ] {
        sqlx::query!(
            "insert into credit_events (key, description, cost) values ($1, $2, $3)
             on conflict (key) do update set description = excluded.description, cost = excluded.cost",
            key,
            description,
            cost,
        )
        .execute(&mut *tx)
        .await?;
    }
    let packs = sqlx::query_scalar!(r#"select count(*) as "n!" from credit_products"#)
        .fetch_one(&mut *tx)
        .await?;
    if packs == 0 {
        for (name, credits, price) in [
            ("1,000 credits", 1_000_i64, 2_000_i64),
            ("5,000 credits", 5_000, 9_000),
            ("25,000 credits", 25_000, 40_000),
        ] {
            sqlx::query!(
                "insert into credit_products (id, name, credits, price_minor) values ($1, $2, $3, $4)",
                Uuid::now_v7(),
                name,
                credits,
                price,
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!(
        "insert into coupons (id, code, percent_off, max_redemptions) values ($1, 'LAUNCH20', 20, 500)
         on conflict (code) do nothing",
        Uuid::now_v7(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
