//! The SQL of the dashboard, billing overview and partner portal.

use super::model::{Billing, Dashboard, InvoiceSummary, Money, Portal};
use crate::access::model::LeadScope;
use crate::error::AppError;
use crate::leads::model::{LeadSource, LeadStatus};
use crate::server::guard::Tenant;

/// Counts within the caller's record scope, each stopping at the cap.
pub async fn dashboard(mut tenant: Tenant) -> Result<Dashboard, AppError> {
    let scope = tenant.actor.lead_scope;
    let row = sqlx::query!(
        r#"with visible as (
               select l.status, l.next_follow_up_at from leads l
               where l.deleted_at is null
                 and ($1::lead_scope = 'all' or l.assignee_id = $2
                      or ($1::lead_scope = 'team' and l.team_id = $3))
               limit $4
           )
           select count(*) as "visible!",
                  count(*) filter (where status not in ('converted', 'lost', 'unqualified')) as "open!",
                  count(*) filter (where next_follow_up_at < (current_date + 1)) as "due!",
                  (select count(*) from organization_members where status = 'active') as "members!"
           from visible"#,
        scope as LeadScope,
        tenant.actor.user_id,
        tenant.actor.team_id,
        Dashboard::COUNT_CAP,
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    let (me, team) = (tenant.actor.user_id, tenant.actor.team_id);
    let pipeline = sqlx::query!(
        r#"select l.status as "status!: LeadStatus", count(*) as "n!",
                  coalesce(sum(l.estimated_value_minor), 0)::bigint as "value!", coalesce(min(l.currency::text), 'USD') as "currency!"
           from leads l
           where l.deleted_at is null and l.status not in ('converted', 'lost', 'unqualified')
             and ($1::lead_scope = 'all' or l.assignee_id = $2 or ($1::lead_scope = 'team' and l.team_id = $3))
           group by l.status order by l.status"#,
        scope as LeadScope,
        me,
        team,
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| (r.status, r.n, Money { minor: r.value, currency: r.currency }))
    .collect();
    let recent = sqlx::query!(
        r#"select count(*) as "total!", count(*) filter (where l.status = 'converted') as "converted!",
                  count(*) filter (where l.created_at > now() - interval '30 days') as "new_30d!"
           from leads l
           where l.deleted_at is null and l.created_at > now() - interval '90 days'
             and ($1::lead_scope = 'all' or l.assignee_id = $2 or ($1::lead_scope = 'team' and l.team_id = $3))"#,
        scope as LeadScope,
        me,
        team,
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    let top_sources = sqlx::query!(
        r#"select l.source as "source!: LeadSource", count(*) as "n!" from leads l
           where l.deleted_at is null and l.created_at > now() - interval '90 days'
             and ($1::lead_scope = 'all' or l.assignee_id = $2 or ($1::lead_scope = 'team' and l.team_id = $3))
           group by l.source order by 2 desc, 1 limit 5"#,
        scope as LeadScope,
        me,
        team,
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| (r.source, r.n))
    .collect();
    let insights = sqlx::query!(
        r#"select l.id, trim(l.first_name || ' ' || l.last_name) as "name!", i.title
           from ai_insights i join leads l on l.organization_id = i.organization_id and l.id = i.lead_id
           where i.acknowledged_at is null and l.deleted_at is null
             and ($1::lead_scope = 'all' or l.assignee_id = $2 or ($1::lead_scope = 'team' and l.team_id = $3))
           order by i.created_at desc limit 6"#,
        scope as LeadScope,
        me,
        team,
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name, r.title))
    .collect();
    let dates = sqlx::query!(
        r#"select current_date::text as "today!", (current_date - 30)::text as "month!", (current_date - 90)::text as "quarter!""#
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    let dashboard = Dashboard {
        dates: (dates.today, dates.month, dates.quarter),
        organization: tenant.org.name.clone(),
        role: tenant.actor.role,
        lead_scope: scope,
        visible_leads: row.visible,
        open_leads: row.open,
        follow_ups_due: row.due,
        members: row.members,
        new_30d: recent.new_30d,
        conversion_bp: (recent.total > 0).then(|| recent.converted * 10_000 / recent.total),
        pipeline,
        top_sources,
        insights,
    };
    tenant.commit().await?;
    Ok(dashboard)
}

/// The live subscription, the credit balance and the last twelve invoices.
pub async fn billing(mut tenant: Tenant) -> Result<Billing, AppError> {
    let subscription = sqlx::query!(
        r#"select p.name, p.price_minor, p.currency::text as "currency!", s.status::text as "status!", s.current_period_end
           from organization_subscriptions s join subscription_plans p on p.id = s.plan_id
           order by (s.status in ('trialing', 'active', 'past_due')) desc, s.current_period_end desc
           limit 1"#
    )
    .fetch_optional(&mut *tenant.tx)
    .await?;
    let credit_balance = sqlx::query_scalar!("select credit_balance from organizations")
        .fetch_one(&mut *tenant.tx)
        .await?;
    let invoices = sqlx::query!(
        r#"select number, status::text as "status!", total_minor, currency::text as "currency!", issued_at
           from invoices order by coalesce(issued_at, created_at) desc limit 12"#
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| InvoiceSummary {
        number: r.number,
        status: r.status,
        total: Money {
            minor: r.total_minor,
            currency: r.currency,
        },
        issued_on: r.issued_at.map(|t| t.date().to_string()),
    })
    .collect();
    tenant.commit().await?;
    Ok(Billing {
        plan: subscription.as_ref().map(|s| s.name.clone()),
        price: subscription.as_ref().map(|s| Money {
            minor: s.price_minor,
            currency: s.currency.clone(),
        }),
        status: subscription.as_ref().map(|s| s.status.clone()),
        renews_on: subscription.map(|s| s.current_period_end.date().to_string()),
        credit_balance,
        invoices,
    })
}

/// The partner's figures. Row-level security (the partner policy) already limits
/// `partner_performance` to the caller's own partner row.
pub async fn portal(mut tenant: Tenant) -> Result<Portal, AppError> {
    let partner_id = tenant.actor.partner_id.ok_or(AppError::Forbidden)?;
    let row = sqlx::query!(
        r#"select p.name, p.referral_code, pp.referred_leads::bigint as "referred!", pp.converted_leads::bigint as "converted!",
                  pp.commissions_pending_minor::bigint as "pending!", pp.commissions_approved_minor::bigint as "approved!",
                  pp.commissions_paid_minor::bigint as "paid!",
                  coalesce((select min(currency) from commission_entries), 'USD') as "currency!"
           from partners p join partner_performance pp on pp.partner_id = p.id
           where p.id = $1"#,
        partner_id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    tenant.commit().await?;
    let money = |minor: i64| Money {
        minor,
        currency: row.currency.clone(),
    };
    Ok(Portal {
        partner: row.name.clone(),
        referral_code: row.referral_code.clone(),
        referred_leads: row.referred,
        converted_leads: row.converted,
        pending: money(row.pending),
        approved: money(row.approved),
        paid: money(row.paid),
    })
}
