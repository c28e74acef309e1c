//! One demo organization's business data: campaigns, ICP profiles, partners and deals,
//! funnels, leads with their timelines and score history, commissions and payouts, and
//! the organization's own subscription, invoices, credits and payments.

use super::SeedError;
use super::copy::{Loader, Row};
use super::generate::{self, INDUSTRIES, LeadFacts, TITLES, TenantRefs, id_at, ts};
use super::people::OrgPeople;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgConnection;
use uuid::Uuid;

const DAY: i64 = 86_400;

/// Writes the business data of one organization with `lead_count` leads.
pub async fn write(
    tx: &mut PgConnection,
    org: &OrgPeople,
    lead_count: usize,
    seed: u64,
    now: i64,
) -> Result<(), SeedError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let refs = references(tx, org, &mut rng, now, lead_count).await?;
    let leads = leads(tx, &refs, &mut rng, now, lead_count).await?;
    commissions(tx, org.id, &leads, &mut rng, now).await?;
    billing(tx, org.id, &mut rng, now, lead_count).await?;
    Ok(())
}

async fn references(
    tx: &mut PgConnection,
    org: &OrgPeople,
    rng: &mut StdRng,
    now: i64,
    lead_count: usize,
) -> Result<TenantRefs, SeedError> {
    let org_id = org.id;
    let mut refs = TenantRefs {
        organization_id: org_id,
        ..TenantRefs::default()
    };
    refs.owners = org
        .members
        .iter()
        .filter(|(_, role, _)| matches!(*role, "sales_rep" | "manager" | "owner" | "admin"))
        .map(|(user, _, team)| (*user, *team))
        .collect();

    for (name, channel, status) in [
        ("Spring webinar series", "webinar", "completed"),
        ("Q3 outbound", "email", "active"),
        ("Partner summit", "event", "active"),
        ("Retargeting", "ads", "paused"),
    ] {
        let id = id_at(rng, now - 120 * DAY);
        sqlx::query!(
            "insert into campaigns (organization_id, id, name, channel, status, budget_minor, starts_on)
             values ($1, $2, $3, $4, $5::text::campaign_status, $6, current_date - 120)",
            org_id, id, name, channel, status, rng.random_range(20..200) * 10_000_i64,
        )
        .execute(&mut *tx)
        .await?;
        refs.campaigns.push(id);
    }

    sqlx::query!(
        "insert into icp_profiles (organization_id, id, name, industries, job_titles, company_sizes, countries, weight)
         values ($1, $2, 'Scaling SaaS founder', $3, $4, '{11-50,51-200}', '{US,CA,GB,DE}', 100),
                ($1, $5, 'Mid-market revenue leader', $6, $7, '{201-1000,1000+}', '{}', 70)",
        org_id,
        id_at(rng, now),
        &[INDUSTRIES[0].to_owned(), INDUSTRIES[2].to_owned()],
        &[TITLES[0].to_owned(), TITLES[1].to_owned()],
        id_at(rng, now),
        &[INDUSTRIES[1].to_owned(), INDUSTRIES[4].to_owned(), INDUSTRIES[5].to_owned()],
        &[TITLES[2].to_owned(), TITLES[3].to_owned(), TITLES[4].to_owned()],
    )
    .execute(&mut *tx)
    .await?;

    let partner_user = org
        .members
        .iter()
        .find(|(_, role, _)| *role == "partner")
        .map(|m| m.0);
    let partner_names = [
        ("Priya Nair", "Nair Growth Partners"),
        ("Tom Okafor", "Okafor Consulting"),
        ("Julia Berg", "Berg & Co"),
        ("Marco Silva", "Silva Digital"),
        ("Aiko Sato", "Sato Advisory"),
        ("Lars Holm", "Holm Ventures"),
        ("Grace Kim", "Kim Referral Network"),
        ("Noah Adler", "Adler Agency"),
    ];
    let partner_count = (lead_count / 75).clamp(1, partner_names.len());
    for (i, (name, company)) in partner_names.iter().take(partner_count).enumerate() {
        let id = id_at(rng, now - 200 * DAY);
        let user = if i == 0 { partner_user } else { None };
        let code = format!(
            "{}-{}",
            name.split(' ').next().unwrap_or("p").to_lowercase(),
            100 + i
        );
        let email = format!("{}@partners.example", code);
        let status = if i == partner_count - 1 && partner_count > 3 {
            "paused"
        } else {
            "active"
        };
        sqlx::query!(
            "insert into partners (organization_id, id, user_id, name, company, email, status, referral_code, payout_details)
             values ($1, $2, $3, $4, $5, $6::text::citext, $7::text::partner_status, $8, '{\"method\": \"bank_transfer\"}')",
            org_id, id, user, *name, *company, email, status, code,
        )
        .execute(&mut *tx)
        .await?;
        let deal = id_at(rng, now - 200 * DAY);
        let (kind, value, trigger) = if i % 2 == 0 {
            ("percentage", 1_500_i64, "sale")
        } else {
            ("fixed", 5_000, "lead")
        };
        sqlx::query!(
            "insert into deals (organization_id, id, partner_id, name, commission_type, commission_value, payout_trigger, holding_days)
             values ($1, $2, $3, $4, $5::text::commission_type, $6, $7::text::payout_trigger, 30)",
            org_id, deal, id, format!("{company} referral terms"), kind, value, trigger,
        )
        .execute(&mut *tx)
        .await?;
        refs.partners.push((id, Some(deal)));
    }

    for (name, campaign) in [("Free revenue audit", 0usize), ("Demo request", 1)] {
        let funnel = id_at(rng, now - 150 * DAY);
        sqlx::query!(
            "insert into funnels (organization_id, id, name, campaign_id, deal_id, status, conversion_window_days)
             values ($1, $2, $3, $4, $5, 'active', 30)",
            org_id, funnel, name, refs.campaigns[campaign], refs.partners.first().and_then(|p| p.1),
        )
        .execute(&mut *tx)
        .await?;
        for (position, (kind, step)) in [
            ("landing", "Landing page"),
            ("optin", "Opt-in form"),
            ("sales", "Offer"),
            ("checkout", "Checkout"),
            ("thank_you", "Thank you"),
        ]
        .into_iter()
        .enumerate()
        {
            sqlx::query!(
                "insert into funnel_steps (organization_id, id, funnel_id, position, kind, name)
                 values ($1, $2, $3, $4, $5::text::funnel_step_kind, $6)",
                org_id,
                id_at(rng, now - 150 * DAY),
                funnel,
                position as i32 + 1,
                kind,
                step,
            )
            .execute(&mut *tx)
            .await?;
        }
        refs.funnels.push(funnel);
    }
    Ok(refs)
}

async fn leads(
    tx: &mut PgConnection,
    refs: &TenantRefs,
    rng: &mut StdRng,
    now: i64,
    count: usize,
) -> Result<Vec<LeadFacts>, SeedError> {
    let org = refs.organization_id;
    let mut lead_loader = Loader::new("leads", generate::LEAD_COLUMNS, 2_000);
    let mut facts = Vec::with_capacity(count);
    let mut row = Row::new();
    for seq in 0..count {
        facts.push(generate::lead_row(
            rng, refs, now, 180, seq as u64, &mut row,
        ));
        lead_loader.push(tx, &mut row).await?;
    }
    lead_loader.flush(tx).await?;

    let mut journey = Loader::new("journey_events", generate::JOURNEY_COLUMNS, 5_000);
    let mut activities = Loader::new(
        "activities",
        "organization_id, id, lead_id, actor_id, kind, subject, body, scheduled_at, completed_at, outcome, created_at",
        5_000,
    );
    let mut conversations = Loader::new(
        "conversations",
        "organization_id, id, lead_id, channel, direction, body, signals, occurred_at",
        5_000,
    );
    let mut scores = Loader::new(
        "lead_scores",
        "organization_id, id, lead_id, score, confidence, demographic, behavioral, temporal, conversational, factors, model_version, computed_at",
        5_000,
    );
    let mut rows = Vec::new();
    for lead in &facts {
        rows.clear();
        let n = rng.random_range(2..7);
        generate::journey_rows(rng, org, lead, now, n, &mut rows);
        for r in &mut rows {
            journey.push(tx, r).await?;
        }

        let span = (now - lead.created).max(DAY);
        for _ in 0..rng.random_range(0..4) {
            let at = lead.created + rng.random_range(0..span);
            let (kind, subject) = *pick_activity(rng);
            let done = at < now - DAY;
            row.val(org)
                .val(id_at(rng, at))
                .val(lead.id)
                .opt(lead.owner)
                .val(kind)
                .text(subject)
                .text("")
                .val(ts(at))
                .opt(done.then(|| ts(at + 1_800)))
                .opt_text(done.then_some("Completed as planned"))
                .val(ts(at));
            activities.push(tx, &mut row).await?;
        }
        for i in 0..rng.random_range(0..3) {
            let at = lead.created + rng.random_range(0..span);
            let inbound = i % 2 == 1;
            let (body, signals): (&str, &[&str]) = if inbound {
                if lead.score > 60 {
                    (
                        "Could you send pricing for 25 seats? We want to start next month.",
                        &["pricing_request", "timeline"],
                    )
                } else {
                    ("Thanks, not a priority right now.", &["objection"])
                }
            } else {
                (
                    "Following up on our conversation: here is the overview you asked for.",
                    &[],
                )
            };
            row.val(org)
                .val(id_at(rng, at))
                .val(lead.id)
                .val("email")
                .val(if inbound { "inbound" } else { "outbound" })
                .text(body)
                .text_array(signals)
                .val(ts(at));
            conversations.push(tx, &mut row).await?;
        }
        let history = rng.random_range(1..4);
        for h in 0..history {
            let at = lead.created + span * (h + 1) / (history + 1);
            let score = if h == history - 1 {
                lead.score
            } else {
                (lead.score + rng.random_range(-15..15)).clamp(0, 100)
            };
            let factors = format!(
                r#"[{{"points": {}, "reason": "job title matches an ICP profile"}}, {{"points": {}, "reason": "engagement in the last 14 days"}}]"#,
                score / 4,
                score / 5
            );
            row.val(org)
                .val(id_at(rng, at))
                .val(lead.id)
                .val(score)
                .val(rng.random_range(40..95))
                .val((score + 10).min(100))
                .val(score)
                .val((score - 5).max(0))
                .val((score / 2).max(0))
                .text(&factors)
                .val("v1")
                .val(ts(at));
            scores.push(tx, &mut row).await?;
        }
    }
    journey.flush(tx).await?;
    activities.flush(tx).await?;
    conversations.flush(tx).await?;
    scores.flush(tx).await?;

    // Insights for the hottest open leads, and a report for some converted ones.
    for lead in facts
        .iter()
        .filter(|l| l.score >= 75 && !matches!(l.status, "converted" | "lost"))
        .take(12)
    {
        sqlx::query!(
            "insert into ai_insights (organization_id, id, lead_id, kind, title, detail)
             values ($1, $2, $3, 'next_best_action', 'Book a demo this week', 'High score and a pricing question in the last message.')",
            org, id_at(rng, now), lead.id,
        )
        .execute(&mut *tx)
        .await?;
    }
    for lead in facts.iter().filter(|l| l.status == "converted").take(5) {
        sqlx::query!(
            "insert into reports (organization_id, id, lead_id, kind, status, revenue_model, recommendations, generated_at)
             values ($1, $2, $3, 'snapshot', 'generated', '{\"model\": \"subscription\"}', '[\"Shorten the sales cycle\"]', now())",
            org, id_at(rng, now), lead.id,
        )
        .execute(&mut *tx)
        .await?;
    }

    // Funnel traffic: visitors fall off step by step; some of them are leads.
    let mut events = Loader::new(
        "funnel_events",
        "organization_id, id, funnel_id, step_id, lead_id, visitor_id, occurred_at",
        5_000,
    );
    for funnel in &refs.funnels {
        let steps: Vec<Uuid> = sqlx::query_scalar!(
            "select id from funnel_steps where organization_id = $1 and funnel_id = $2 order by position",
            org, funnel
        )
        .fetch_all(&mut *tx)
        .await?;
        for v in 0..(count * 3) {
            let start = now - rng.random_range(0..90 * DAY);
            let lead = (rng.random_bool(0.2)).then(|| facts[rng.random_range(0..facts.len())].id);
            for (i, step) in steps.iter().enumerate() {
                if i > 0 && !rng.random_bool(0.55) {
                    break;
                }
                let at = start + i as i64 * rng.random_range(60..DAY);
                row.val(org)
                    .val(id_at(rng, at))
                    .val(funnel)
                    .val(step)
                    .opt(lead)
                    .val(format!("v{v}"))
                    .val(ts(at));
                events.push(tx, &mut row).await?;
            }
        }
    }
    events.flush(tx).await?;
    Ok(facts)
}

fn pick_activity(rng: &mut StdRng) -> &'static (&'static str, &'static str) {
    const ACTIVITIES: &[(&str, &str)] = &[
        ("call", "Discovery call"),
        ("email", "Sent overview deck"),
        ("meeting", "Stakeholder meeting"),
        ("demo", "Product demo"),
        ("proposal", "Sent proposal"),
        ("follow_up", "Follow up on proposal"),
        ("note", "Budget confirmed for Q1"),
        ("task", "Prepare ROI estimate"),
    ];
    &ACTIVITIES[rng.random_range(0..ACTIVITIES.len())]
}

async fn commissions(
    tx: &mut PgConnection,
    org: Uuid,
    leads: &[LeadFacts],
    rng: &mut StdRng,
    now: i64,
) -> Result<(), SeedError> {
    let mut paid_by_partner: std::collections::BTreeMap<Uuid, i64> = Default::default();
    for lead in leads.iter().filter(|l| l.status == "converted") {
        let Some((partner, deal)) = lead.partner else {
            continue;
        };
        let commission = id_at(rng, lead.created);
        let amount = (lead.value_minor * 15 / 100).max(1);
        sqlx::query!(
            "insert into commission_entries (organization_id, id, commission_id, partner_id, deal_id, lead_id, kind, amount_minor, currency, created_at)
             values ($1, $2, $3, $4, $5, $6, 'accrual', $7, 'USD', to_timestamp($8))",
            org, id_at(rng, lead.created), commission, partner, deal, lead.id, amount, lead.created as f64,
        )
        .execute(&mut *tx)
        .await?;
        // Older commissions have moved on: approved, paid, or (rarely) reversed.
        let age = now - lead.created;
        let next = if age > 120 * DAY {
            Some(if rng.random_bool(0.1) {
                "reversal"
            } else {
                "approval"
            })
        } else if age > 45 * DAY {
            Some("approval")
        } else {
            None
        };
        if let Some(kind) = next {
            let signed = if kind == "reversal" { -amount } else { 0 };
            sqlx::query!(
                "insert into commission_entries (organization_id, id, commission_id, partner_id, deal_id, lead_id, kind, amount_minor, currency, note, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7::text::commission_entry_kind, $8, 'USD', $9, to_timestamp($10))",
                org, id_at(rng, lead.created + 30 * DAY), commission, partner, deal, lead.id, kind, signed,
                (kind == "reversal").then_some("Customer refunded within the holding period"),
                (lead.created + 30 * DAY) as f64,
            )
            .execute(&mut *tx)
            .await?;
            if kind == "approval" && age > 120 * DAY {
                *paid_by_partner.entry(partner).or_default() += amount;
            }
        }
    }
    for (partner, amount) in paid_by_partner {
        let payout = id_at(rng, now - 20 * DAY);
        sqlx::query!(
            "insert into payouts (organization_id, id, partner_id, amount_minor, currency, status, reference, requested_at, approved_at, paid_at)
             values ($1, $2, $3, $4, 'USD', 'paid', $5, now() - interval '25 days', now() - interval '22 days', now() - interval '20 days')",
            org, payout, partner, amount, format!("PO-{}", &payout.simple().to_string()[..8]),
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "insert into commission_entries (organization_id, id, commission_id, partner_id, deal_id, lead_id, kind, amount_minor, currency, payout_id, created_at)
             select organization_id, $2::uuid, commission_id, partner_id, deal_id, lead_id, 'payout', 0, currency, $3, now() - interval '20 days'
               from commissions where organization_id = $1 and partner_id = $4 and state = 'approved' and accrued_at < now() - interval '120 days'
               limit 1",
            org, id_at(rng, now - 20 * DAY), payout, partner,
        )
        .execute(&mut *tx)
        .await?;
    }
    // A pending payout request, so finance has something to approve.
    if let Some(partner) = leads.iter().find_map(|l| l.partner.map(|p| p.0)) {
        sqlx::query!(
            "insert into payouts (organization_id, id, partner_id, amount_minor, currency, status) values ($1, $2, $3, 45000, 'USD', 'requested')",
            org, id_at(rng, now), partner,
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn billing(
    tx: &mut PgConnection,
    org: Uuid,
    rng: &mut StdRng,
    now: i64,
    lead_count: usize,
) -> Result<(), SeedError> {
    let code = if lead_count >= 500 {
        "scale"
    } else if lead_count >= 100 {
        "growth"
    } else {
        "starter"
    };
    let plan = sqlx::query!(
        "select id, price_minor, included_credits from subscription_plans where code = $1",
        code
    )
    .fetch_one(&mut *tx)
    .await?;
    let subscription = id_at(rng, now - 180 * DAY);
    sqlx::query!(
        "insert into organization_subscriptions (organization_id, id, plan_id, status, current_period_start, current_period_end)
         values ($1, $2, $3, 'active', date_trunc('month', now()), date_trunc('month', now()) + interval '1 month')",
        org, subscription, plan.id,
    )
    .execute(&mut *tx)
    .await?;

    let mut balance = 0_i64;
    for month in (0..6).rev() {
        let invoice = id_at(rng, now - month * 30 * DAY);
        let overage = if month % 2 == 0 {
            rng.random_range(1..5)
        } else {
            0
        };
        let subtotal = plan.price_minor + overage * 1_000;
        let tax = subtotal / 10;
        let status = if month == 0 { "open" } else { "paid" };
        let number = format!(
            "INV-{}-{:04}",
            &org.simple().to_string()[..4].to_uppercase(),
            6 - month
        );
        sqlx::query!(
            "insert into invoices (organization_id, id, number, subscription_id, status, currency, subtotal_minor, tax_minor, total_minor, issued_at, due_at, paid_at)
             values ($1, $2, $3, $4, $5::text::invoice_status, 'USD', $6, $7, $8,
                     date_trunc('month', now()) - make_interval(months => $9::int),
                     date_trunc('month', now()) - make_interval(months => $9::int) + interval '14 days',
                     case when $5 = 'paid' then date_trunc('month', now()) - make_interval(months => $9::int) + interval '3 days' end)",
            org, invoice, number, subscription, status, subtotal, tax, subtotal + tax, month as i32,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "insert into invoice_line_items (organization_id, id, invoice_id, description, quantity, unit_amount_minor, amount_minor)
             values ($1, $2, $3, $4, 1, $5, $5)",
            org, id_at(rng, now), invoice, format!("{code} plan, monthly"), plan.price_minor,
        )
        .execute(&mut *tx)
        .await?;
        if overage > 0 {
            sqlx::query!(
                "insert into invoice_line_items (organization_id, id, invoice_id, description, quantity, unit_amount_minor, amount_minor)
                 values ($1, $2, $3, 'Extra seats', $4, 1000, $5)",
                org, id_at(rng, now), invoice, overage, overage * 1000,
            )
            .execute(&mut *tx)
            .await?;
        }
        if status == "paid" {
            let session = id_at(rng, now - month * 30 * DAY);
            let reference = format!("ps_{}", session.simple());
            sqlx::query!(
                "insert into payment_sessions (organization_id, id, provider, reference, purpose, amount_minor, currency, status, invoice_id, expires_at, completed_at)
                 values ($1, $2, 'sandbox', $3, 'invoice', $4, 'USD', 'completed', $5, now(), now() - make_interval(days => $6::int))",
                org, session, reference, subtotal + tax, invoice, (month * 30) as i32,
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "insert into payment_transactions (organization_id, id, session_id, provider, provider_transaction_id, amount_minor, currency, status)
                 values ($1, $2, $3, 'sandbox', $4, $5, 'USD', 'completed')",
                org, id_at(rng, now), session, format!("txn_{}", session.simple()), subtotal + tax,
            )
            .execute(&mut *tx)
            .await?;
        }
        // Monthly credits, then some usage.
        balance += plan.included_credits;
        credit(
            tx,
            org,
            rng,
            now - month * 30 * DAY,
            "earned",
            plan.included_credits,
            balance,
            "plan allowance",
        )
        .await?;
        let used = plan.included_credits * rng.random_range(20..70) / 100;
        balance -= used;
        credit(
            tx,
            org,
            rng,
            now - month * 30 * DAY + 10 * DAY,
            "consumed",
            -used,
            balance,
            "lead scoring and enrichment",
        )
        .await?;
    }
    sqlx::query!(
        "update organizations set credit_balance = $2 where id = $1",
        org,
        balance
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into organization_settings (organization_id, settings_group, settings)
         values ($1, 'platform', '{\"default_currency\": \"USD\", \"week_starts_on\": \"monday\"}'),
                ($1, 'automation_rules', '{\"assign_new_leads\": \"round_robin\", \"follow_up_after_days\": 3}')",
        org,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn credit(
    tx: &mut PgConnection,
    org: Uuid,
    rng: &mut StdRng,
    at: i64,
    kind: &str,
    amount: i64,
    balance: i64,
    source: &str,
) -> Result<(), SeedError> {
    sqlx::query!(
        "insert into credit_transactions (organization_id, id, kind, amount, balance_after, source, created_at)
         values ($1, $2, $3::text::credit_kind, $4, $5, $6, to_timestamp($7))",
        org, id_at(rng, at), kind, amount, balance, source, at as f64,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
