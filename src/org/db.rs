//! The SQL of the dashboard, billing overview and partner portal.

use super::model::{Billing, Dashboard, InvoiceSummary, Money, Portal};
use crate::error::AppError;
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
        scope as crate::access::model::LeadScope,
        tenant.actor.user_id,
        tenant.actor.team_id,
        Dashboard::COUNT_CAP,
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    let dashboard = Dashboard {
        organization: tenant.org.name.clone(),
        role: tenant.actor.role,
        lead_scope: scope,
        visible_leads: row.visible,
        open_leads: row.open,
        follow_ups_due: row.due,
        members: row.members,
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
