//! Keeps a lead's score current: gathers the model's inputs from the lead, its
//! activities, messages and journey and the organization's ICP profiles, computes the
//! score, and stores it (with its factors) and the lead's insights. Runs inside the
//! transaction of every change to an input, so the score never lags the data.

use super::score::{self, Icp, Inputs};
use crate::error::AppError;
use crate::server::guard::Tenant;
use uuid::Uuid;

/// Recomputes and stores the score of one lead (of the tenant, through RLS). Writes a
/// history row only when the score or its reasons changed.
pub async fn recompute(tenant: &mut Tenant, lead: Uuid) -> Result<score::Score, AppError> {
    let row = sqlx::query!(
        r#"select l.job_title, l.industry, l.company_size, l.country::text as country, l.email::text as email,
                  l.status::text as "status!",
                  (select count(*) from activities a where a.lead_id = l.id and a.kind in ('meeting', 'demo')
                       and a.created_at > now() - interval '30 days') as "meetings!",
                  (select count(*) from activities a where a.lead_id = l.id and a.kind = 'call'
                       and a.created_at > now() - interval '30 days') as "calls!",
                  (select count(*) from activities a where a.lead_id = l.id and a.kind in ('email', 'proposal', 'follow_up')
                       and a.created_at > now() - interval '30 days') as "touches!",
                  (select count(*) from conversations c where c.lead_id = l.id and c.direction = 'inbound'
                       and c.occurred_at > now() - interval '30 days') as "inbound_30d!",
                  extract(day from now() - greatest(
                      l.last_contacted_at,
                      (select max(c.occurred_at) from conversations c where c.lead_id = l.id),
                      (select max(a.created_at) from activities a where a.lead_id = l.id and a.kind <> 'note')
                  ))::bigint as days_since_touch,
                  extract(day from now() - (select max(c.occurred_at) from conversations c
                       where c.lead_id = l.id and c.direction = 'inbound'))::bigint as days_since_inbound,
                  extract(day from now() - (select max(c.occurred_at) from conversations c
                       where c.lead_id = l.id and c.direction = 'outbound'))::bigint as days_since_outbound,
                  (l.next_follow_up_at::date - current_date)::bigint as days_to_follow_up,
                  array(select distinct s from conversations c, unnest(c.signals) s
                        where c.lead_id = l.id and c.occurred_at > now() - interval '30 days' order by s) as "signals!"
           from leads l where l.id = $1"#,
        lead
    )
    .fetch_one(&mut *tenant.tx)
    .await?;
    let events = sqlx::query!(
        r#"select kind, count(*) as "n!" from journey_events
           where lead_id = $1 and occurred_at > now() - interval '14 days' group by kind"#,
        lead
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let icps = sqlx::query_as!(
        Icp,
        "select name, industries, job_titles, company_sizes, countries, weight from icp_profiles where active order by name"
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let inputs = Inputs {
        job_title: row.job_title,
        industry: row.industry,
        company_size: row.company_size,
        country: row.country,
        email: row.email,
        status: row.status,
        icps,
        meetings_30d: row.meetings,
        calls_30d: row.calls,
        touches_30d: row.touches,
        events_14d: events.into_iter().map(|e| (e.kind, e.n)).collect(),
        days_since_touch: row.days_since_touch,
        days_since_inbound: row.days_since_inbound,
        days_since_outbound: row.days_since_outbound,
        days_to_follow_up: row.days_to_follow_up,
        inbound_30d: row.inbound_30d,
        signals: row.signals,
    };
    let computed = score::compute(&inputs);
    let factors = serde_json::to_value(&computed.factors).map_err(|_| AppError::Internal)?;
    let latest = sqlx::query!(
        "select score, factors from lead_scores where lead_id = $1 order by computed_at desc, id desc limit 1",
        lead
    )
    .fetch_optional(&mut *tenant.tx)
    .await?;
    let changed =
        latest.is_none_or(|l| i32::from(l.score) != computed.score || l.factors != factors);
    if changed {
        sqlx::query!(
            "insert into lead_scores (organization_id, id, lead_id, score, confidence, demographic, behavioral, temporal,
                                      conversational, factors, model_version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            tenant.org.id,
            Uuid::now_v7(),
            lead,
            computed.score as i16,
            computed.confidence as i16,
            computed.demographic as i16,
            computed.behavioral as i16,
            computed.temporal as i16,
            computed.conversational as i16,
            factors,
            score::MODEL_VERSION,
        )
        .execute(&mut *tenant.tx)
        .await?;
    }
    sqlx::query!(
        "update leads set score = $2, score_confidence = $3 where id = $1",
        lead,
        computed.score as i16,
        computed.confidence as i16
    )
    .execute(&mut *tenant.tx)
    .await?;
    sqlx::query!(
        "delete from ai_insights where lead_id = $1 and acknowledged_at is null",
        lead
    )
    .execute(&mut *tenant.tx)
    .await?;
    for (kind, title, detail) in score::insights(&inputs, &computed) {
        sqlx::query!(
            "insert into ai_insights (organization_id, id, lead_id, kind, title, detail)
             values ($1, $2, $3, $4::text::insight_kind, $5, $6)",
            tenant.org.id,
            Uuid::now_v7(),
            lead,
            kind,
            title,
            detail
        )
        .execute(&mut *tenant.tx)
        .await?;
    }
    Ok(computed)
}
