//! The platform catalogue: plans, billable actions, credit packs and a coupon.

use super::SeedError;
use uuid::Uuid;

/// A plan of the catalogue.
pub struct Plan {
    code: &'static str,
    name: &'static str,
    /// Monthly price in cents.
    price: i64,
    included_credits: i64,
    max_users: Option<i32>,
    trial_days: i32,
}

/// The plans on offer.
pub const PLANS: &[Plan] = &[
    Plan {
        code: "starter",
        name: "Starter",
        price: 4_900,
        included_credits: 1_000,
        max_users: Some(5),
        trial_days: 14,
    },
    Plan {
        code: "growth",
        name: "Growth",
        price: 19_900,
        included_credits: 5_000,
        max_users: Some(25),
        trial_days: 14,
    },
    Plan {
        code: "scale",
        name: "Scale",
        price: 79_900,
        included_credits: 25_000,
        max_users: None,
        trial_days: 0,
    },
];

/// Upserts the catalogue (idempotent).
pub async fn write(tx: &mut sqlx::PgConnection) -> Result<(), SeedError> {
    for plan in PLANS {
        let features: Vec<String> = match plan.code {
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
            plan.code,
            plan.name,
            plan.price,
            plan.included_credits,
            plan.max_users,
            &features,
            plan.trial_days,
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
