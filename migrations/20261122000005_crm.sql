-- CRM: leads and everything that happens to them.

create type lead_status as enum (
    'new', 'contacted', 'qualified', 'proposal', 'negotiation', 'converted', 'lost', 'nurturing', 'unqualified'
);
create type lead_source as enum ('audit', 'manual', 'referral', 'campaign', 'api', 'import');
create type lead_priority as enum ('hot', 'warm', 'cold');
create type engagement_level as enum ('none', 'low', 'medium', 'high');

create table leads
(
    organization_id        uuid             not null references organizations (id) on delete cascade,
    id                     uuid             not null,
    partner_id             uuid,
    deal_id                uuid,
    campaign_id            uuid,
    funnel_id              uuid,
    assignee_id            uuid,
    team_id                uuid,
    first_name             text             not null default '',
    last_name              text             not null default '',
    email                  citext,
    phone                  text,
    company                text,
    job_title              text,
    industry               text,
    company_size           text,
    address_line           text,
    city                   text,
    region                 text,
    postal_code            text,
    country                char(2),
    status                 lead_status      not null default 'new',
    source                 lead_source      not null default 'manual',
    priority               lead_priority    not null default 'warm',
    currency               char(3)          not null default 'USD',
    estimated_value_minor  bigint,
    actual_value_minor     bigint,
    -- The latest score (0-100) and its confidence (0-100); history in lead_scores.
    score                  smallint         not null default 0,
    score_confidence       smallint         not null default 0,
    -- Basis points, 0..10000.
    conversion_probability int              not null default 0,
    engagement_level       engagement_level not null default 'none',
    lost_reason            text,
    tags                   text[]           not null default '{}',
    custom_fields          jsonb            not null default '{}'::jsonb,
    last_contacted_at      timestamptz,
    next_follow_up_at      timestamptz,
    converted_at           timestamptz,
    -- Bumped by every edit; an edit names the version it started from (optimistic locking).
    version                int              not null default 1,
    search                 tsvector generated always as (
        setweight(to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(email::text, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(company, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(job_title, '')), 'C')
        ) stored,
    created_at             timestamptz      not null default now(),
    updated_at             timestamptz      not null default now(),
    deleted_at             timestamptz,
    constraint leads_pkey primary key (organization_id, id),
    constraint leads_partner_fkey foreign key (organization_id, partner_id)
        references partners (organization_id, id) on delete set null (partner_id),
    constraint leads_deal_fkey foreign key (organization_id, deal_id)
        references deals (organization_id, id) on delete set null (deal_id),
    constraint leads_campaign_fkey foreign key (organization_id, campaign_id)
        references campaigns (organization_id, id) on delete set null (campaign_id),
    constraint leads_funnel_fkey foreign key (organization_id, funnel_id)
        references funnels (organization_id, id) on delete set null (funnel_id),
    constraint leads_assignee_fkey foreign key (organization_id, assignee_id)
        references organization_members (organization_id, user_id) on delete set null (assignee_id),
    constraint leads_team_fkey foreign key (organization_id, team_id)
        references teams (organization_id, id) on delete set null (team_id),
    constraint leads_score_range check (score between 0 and 100 and score_confidence between 0 and 100),
    constraint leads_conversion_probability_range check (conversion_probability between 0 and 10000),
    constraint leads_values_non_negative check (
        coalesce(estimated_value_minor, 0) >= 0 and coalesce(actual_value_minor, 0) >= 0),
    constraint leads_currency_format check (currency ~ '^[A-Z]{3}$'),
    constraint leads_country_format check (country is null or country ~ '^[A-Z]{2}$'),
    constraint leads_lost_has_reason check (status <> 'lost' or lost_reason is not null),
    constraint leads_has_a_name_or_email check (first_name <> '' or last_name <> '' or email is not null)
);
-- The list's default order and keyset pagination: newest first within a tenant.
create index leads_organization_id_created_at_idx on leads (organization_id, created_at desc, id desc)
    where deleted_at is null;
create index leads_organization_id_status_idx on leads (organization_id, status, created_at desc, id desc)
    where deleted_at is null;
create index leads_organization_id_assignee_id_idx on leads (organization_id, assignee_id, created_at desc)
    where deleted_at is null;
create index leads_organization_id_team_id_idx on leads (organization_id, team_id, created_at desc)
    where deleted_at is null;
create index leads_organization_id_partner_id_idx on leads (organization_id, partner_id)
    where partner_id is not null;
create index leads_organization_id_campaign_id_idx on leads (organization_id, campaign_id)
    where campaign_id is not null;
create index leads_organization_id_score_idx on leads (organization_id, score desc, id desc)
    where deleted_at is null;
create index leads_organization_id_next_follow_up_at_idx on leads (organization_id, next_follow_up_at)
    where next_follow_up_at is not null and deleted_at is null;
-- Upsert on email during import.
create unique index leads_organization_id_email_key on leads (organization_id, email)
    where email is not null and deleted_at is null;
-- Full-text search and substring search (GIN leads with organization_id through btree_gin
-- would need an extension; the tenant filter is applied on the few matching rows instead).
create index leads_search_idx on leads using gin (search);
create index leads_email_trgm_idx on leads using gin ((email::text) gin_trgm_ops);
create index leads_company_trgm_idx on leads using gin (company gin_trgm_ops);
create index leads_tags_idx on leads using gin (tags);
select manage_updated_at('leads');

create type activity_kind as enum ('call', 'email', 'meeting', 'demo', 'proposal', 'follow_up', 'note', 'task');

create table activities
(
    organization_id uuid          not null,
    id              uuid          not null,
    lead_id         uuid          not null,
    actor_id        uuid          references users (id) on delete set null,
    kind            activity_kind not null,
    subject         text          not null,
    body            text          not null default '',
    scheduled_at    timestamptz,
    completed_at    timestamptz,
    outcome         text,
    created_at      timestamptz   not null default now(),
    updated_at      timestamptz   not null default now(),
    constraint activities_pkey primary key (organization_id, id),
    constraint activities_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade
);
create index activities_organization_id_lead_id_idx on activities (organization_id, lead_id, created_at desc);
create index activities_organization_id_open_idx on activities (organization_id, scheduled_at)
    where completed_at is null and scheduled_at is not null;
select manage_updated_at('activities');

create type conversation_direction as enum ('inbound', 'outbound');

create table conversations
(
    organization_id uuid                   not null,
    id              uuid                   not null,
    lead_id         uuid                   not null,
    channel         text                   not null,
    direction       conversation_direction not null,
    body            text                   not null,
    -- Conversational signals found in the message (buying intent, objection, …).
    signals         text[]                 not null default '{}',
    occurred_at     timestamptz            not null default now(),
    constraint conversations_pkey primary key (organization_id, id),
    constraint conversations_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade
);
create index conversations_organization_id_lead_id_idx on conversations (organization_id, lead_id, occurred_at desc);

-- The lead's timeline: every status change, visit, form and import touch.
create table journey_events
(
    organization_id uuid        not null,
    id              uuid        not null,
    lead_id         uuid        not null,
    kind            text        not null,
    detail          jsonb       not null default '{}'::jsonb,
    actor_id        uuid        references users (id) on delete set null,
    occurred_at     timestamptz not null default now(),
    constraint journey_events_pkey primary key (organization_id, id),
    constraint journey_events_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade
);
create index journey_events_organization_id_lead_id_idx on journey_events (organization_id, lead_id, occurred_at desc);

-- Every computed score with its four sub-scores and the factors that explain it.
create table lead_scores
(
    organization_id uuid        not null,
    id              uuid        not null,
    lead_id         uuid        not null,
    score           smallint    not null,
    confidence      smallint    not null,
    demographic     smallint    not null,
    behavioral      smallint    not null,
    temporal        smallint    not null,
    conversational  smallint    not null,
    -- [{"points": 18, "reason": "job title matches ICP 'Scaling SaaS founder'"}, …]
    factors         jsonb       not null default '[]'::jsonb,
    model_version   text        not null,
    computed_at     timestamptz not null default now(),
    constraint lead_scores_pkey primary key (organization_id, id),
    constraint lead_scores_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade,
    constraint lead_scores_range check (
        score between 0 and 100 and confidence between 0 and 100 and
        demographic between 0 and 100 and behavioral between 0 and 100 and
        temporal between 0 and 100 and conversational between 0 and 100)
);
create index lead_scores_organization_id_lead_id_idx on lead_scores (organization_id, lead_id, computed_at desc);

create type insight_kind as enum ('next_best_action', 'churn_risk', 'buying_signal', 'follow_up_due');

create table ai_insights
(
    organization_id uuid         not null,
    id              uuid         not null,
    lead_id         uuid         not null,
    kind            insight_kind not null,
    title           text         not null,
    detail          text         not null default '',
    acknowledged_by uuid         references users (id) on delete set null,
    acknowledged_at timestamptz,
    created_at      timestamptz  not null default now(),
    constraint ai_insights_pkey primary key (organization_id, id),
    constraint ai_insights_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade
);
create index ai_insights_organization_id_open_idx on ai_insights (organization_id, created_at desc)
    where acknowledged_at is null;
create index ai_insights_organization_id_lead_id_idx on ai_insights (organization_id, lead_id);

create type report_kind as enum ('snapshot', 'blueprint');
create type report_status as enum ('draft', 'generated', 'delivered');

-- A business assessment report prepared for a lead.
create table reports
(
    organization_id uuid          not null,
    id              uuid          not null,
    lead_id         uuid          not null,
    kind            report_kind   not null,
    status          report_status not null default 'draft',
    revenue_model   jsonb         not null default '{}'::jsonb,
    bottlenecks     jsonb         not null default '[]'::jsonb,
    benchmarks      jsonb         not null default '{}'::jsonb,
    recommendations jsonb         not null default '[]'::jsonb,
    -- The rendered document, when generated.
    document        bytea,
    document_type   text,
    generated_at    timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz   not null default now(),
    updated_at      timestamptz   not null default now(),
    constraint reports_pkey primary key (organization_id, id),
    constraint reports_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete cascade
);
create index reports_organization_id_lead_id_idx on reports (organization_id, lead_id);
select manage_updated_at('reports');

-- A visitor or lead reaching a funnel step.
create table funnel_events
(
    organization_id uuid        not null,
    id              uuid        not null,
    funnel_id       uuid        not null,
    step_id         uuid        not null,
    lead_id         uuid,
    visitor_id      text        not null,
    occurred_at     timestamptz not null default now(),
    constraint funnel_events_pkey primary key (organization_id, id),
    constraint funnel_events_funnel_fkey foreign key (organization_id, funnel_id)
        references funnels (organization_id, id) on delete cascade,
    constraint funnel_events_step_fkey foreign key (organization_id, step_id)
        references funnel_steps (organization_id, id) on delete cascade,
    constraint funnel_events_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete set null (lead_id)
);
create index funnel_events_organization_id_funnel_id_idx on funnel_events (organization_id, funnel_id, occurred_at);

-- A user's saved filter of the leads list.
create table saved_views
(
    organization_id uuid        not null,
    id              uuid        not null,
    user_id         uuid        not null,
    name            text        not null,
    query           text        not null,
    created_at      timestamptz not null default now(),
    constraint saved_views_pkey primary key (organization_id, id),
    constraint saved_views_member_fkey foreign key (organization_id, user_id)
        references organization_members (organization_id, user_id) on delete cascade
);
create index saved_views_organization_id_user_id_idx on saved_views (organization_id, user_id);
