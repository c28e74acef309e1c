-- Analytics views. All are security_invoker, so row-level security of the querying role
-- applies to the tables underneath (a view would otherwise run as its owner).

-- One row per commission, its state derived from its ledger entries.
create view commissions with (security_invoker = true) as
select e.organization_id,
       e.commission_id,
       (array_agg(e.partner_id order by e.created_at))[1]                           as partner_id,
       (array_agg(e.deal_id) filter (where e.kind = 'accrual'))[1]                  as deal_id,
       (array_agg(e.lead_id) filter (where e.kind = 'accrual'))[1]                  as lead_id,
       coalesce(sum(e.amount_minor) filter (where e.kind = 'accrual'), 0)::bigint   as accrued_minor,
       sum(e.amount_minor)::bigint                                                  as net_minor,
       min(e.currency)                                                              as currency,
       case
           when bool_or(e.kind in ('reversal', 'clawback')) then 'reversed'
           when bool_or(e.kind = 'payout') then 'paid'
           when bool_or(e.kind = 'approval') then 'approved'
           else 'pending'
           end                                                                      as state,
       min(e.created_at)                                                            as accrued_at,
       max(e.created_at)                                                            as updated_at
from commission_entries e
group by e.organization_id, e.commission_id;

-- Referred leads, conversions and commission totals per partner.
create view partner_performance with (security_invoker = true) as
select p.organization_id,
       p.id                                                                          as partner_id,
       p.name,
       p.status,
       coalesce(l.referred, 0)                                                       as referred_leads,
       coalesce(l.converted, 0)                                                      as converted_leads,
       coalesce(c.pending_minor, 0)                                                  as commissions_pending_minor,
       coalesce(c.approved_minor, 0)                                                 as commissions_approved_minor,
       coalesce(c.paid_minor, 0)                                                     as commissions_paid_minor
from partners p
         left join lateral (
    select count(*) as referred, count(*) filter (where status = 'converted') as converted
    from leads
    where organization_id = p.organization_id and partner_id = p.id and deleted_at is null
    ) l on true
         left join lateral (
    select sum(net_minor) filter (where state = 'pending')  as pending_minor,
           sum(net_minor) filter (where state = 'approved') as approved_minor,
           sum(accrued_minor) filter (where state = 'paid') as paid_minor
    from commissions
    where organization_id = p.organization_id and partner_id = p.id
    ) c on true;

-- Paid invoice revenue per organization, month and currency.
create view monthly_revenue with (security_invoker = true) as
select organization_id,
       date_trunc('month', paid_at) as month,
       currency,
       count(*)                     as invoices_paid,
       sum(total_minor)::bigint     as revenue_minor
from invoices
where status = 'paid' and paid_at is not null
group by organization_id, date_trunc('month', paid_at), currency;

-- Visitors and leads reaching each funnel step.
create view lead_funnel_metrics with (security_invoker = true) as
select s.organization_id,
       s.funnel_id,
       s.id                                                    as step_id,
       s.position,
       s.kind,
       s.name,
       count(distinct e.visitor_id)                            as visitors,
       count(distinct e.lead_id)                               as leads,
       min(e.occurred_at)                                      as first_event_at,
       max(e.occurred_at)                                      as last_event_at
from funnel_steps s
         left join funnel_events e on e.organization_id = s.organization_id and e.step_id = s.id
group by s.organization_id, s.funnel_id, s.id, s.position, s.kind, s.name;

-- Assessment reports per organization and month.
create view report_metrics with (security_invoker = true) as
select organization_id,
       date_trunc('month', created_at)                  as month,
       count(*)                                         as reports,
       count(*) filter (where kind = 'snapshot')        as snapshots,
       count(*) filter (where kind = 'blueprint')       as blueprints,
       count(*) filter (where status = 'delivered')     as delivered
from reports
group by organization_id, date_trunc('month', created_at);

-- Checkout outcomes per organization, month and currency.
create view payment_metrics with (security_invoker = true) as
select organization_id,
       date_trunc('month', created_at)                                           as month,
       currency,
       count(*)                                                                  as sessions,
       count(*) filter (where status = 'completed')                              as completed,
       count(*) filter (where status = 'failed')                                 as failed,
       coalesce(sum(amount_minor) filter (where status = 'completed'), 0)::bigint as completed_minor
from payment_sessions
group by organization_id, date_trunc('month', created_at), currency;
