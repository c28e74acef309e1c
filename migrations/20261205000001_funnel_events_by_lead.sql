-- A lead's page shows how far the lead got in each funnel it entered, from its own
-- funnel events. Those were indexed only by funnel and time (the funnel reports); this
-- finds one lead's events without reading the tenant's traffic.
create index funnel_events_organization_id_lead_id_idx
    on funnel_events (organization_id, lead_id, step_id)
    where lead_id is not null;
