-- Partners and deals; campaigns, ideal customer profiles and funnels. Leads (next
-- migration) point at all of these.

create type partner_status as enum ('active', 'paused', 'archived');

-- An external affiliate who refers leads. May have a portal login (a member with role partner).
create table partners
(
    organization_id uuid           not null references organizations (id) on delete cascade,
    id              uuid           not null,
    user_id         uuid,
    name            text           not null,
    company         text,
    email           citext         not null,
    status          partner_status not null default 'active',
    -- The code in the partner's referral link; unique within the organization.
    referral_code   text           not null,
    -- Where payouts go (bank or wallet details), as the partner entered them.
    payout_details  jsonb          not null default '{}'::jsonb,
    created_at      timestamptz    not null default now(),
    updated_at      timestamptz    not null default now(),
    constraint partners_pkey primary key (organization_id, id),
    constraint partners_member_fkey foreign key (organization_id, user_id)
        references organization_members (organization_id, user_id) on delete set null (user_id),
    constraint partners_referral_code_format check (referral_code ~ '^[A-Za-z0-9_-]{3,40}$')
);
create unique index partners_organization_id_referral_code_key on partners (organization_id, referral_code);
create unique index partners_organization_id_user_id_key on partners (organization_id, user_id) where user_id is not null;
create index partners_organization_id_status_idx on partners (organization_id, status);
select manage_updated_at('partners');

create type commission_type as enum ('percentage', 'fixed');
create type payout_trigger as enum ('lead', 'sale', 'subscription');
create type deal_status as enum ('draft', 'active', 'paused', 'ended');

-- The terms under which a partner earns: per lead, per sale or per subscription.
create table deals
(
    organization_id   uuid            not null references organizations (id) on delete cascade,
    id                uuid            not null,
    partner_id        uuid            not null,
    name              text            not null,
    commission_type   commission_type not null,
    -- Basis points for percentage deals (1500 = 15%), minor units for fixed ones.
    commission_value  bigint          not null,
    currency          char(3)         not null default 'USD',
    payout_trigger    payout_trigger  not null default 'sale',
    -- Days an accrued commission is held before it can be approved (refund window).
    holding_days      int             not null default 30,
    status            deal_status     not null default 'active',
    starts_on         date,
    ends_on           date,
    created_at        timestamptz     not null default now(),
    updated_at        timestamptz     not null default now(),
    constraint deals_pkey primary key (organization_id, id),
    constraint deals_partner_fkey foreign key (organization_id, partner_id)
        references partners (organization_id, id) on delete cascade,
    constraint deals_commission_value_range check (
        commission_value >= 0 and (commission_type <> 'percentage' or commission_value <= 10000)),
    constraint deals_currency_format check (currency ~ '^[A-Z]{3}$'),
    constraint deals_holding_days_range check (holding_days between 0 and 365),
    constraint deals_dates_ordered check (ends_on is null or starts_on is null or ends_on >= starts_on)
);
create index deals_organization_id_partner_id_idx on deals (organization_id, partner_id);
select manage_updated_at('deals');

create type campaign_status as enum ('draft', 'active', 'paused', 'completed');

create table campaigns
(
    organization_id uuid            not null references organizations (id) on delete cascade,
    id              uuid            not null,
    name            text            not null,
    channel         text            not null default 'email',
    status          campaign_status not null default 'draft',
    budget_minor    bigint          not null default 0,
    currency        char(3)         not null default 'USD',
    starts_on       date,
    ends_on         date,
    created_at      timestamptz     not null default now(),
    updated_at      timestamptz     not null default now(),
    constraint campaigns_pkey primary key (organization_id, id),
    constraint campaigns_budget_non_negative check (budget_minor >= 0),
    constraint campaigns_currency_format check (currency ~ '^[A-Z]{3}$')
);
create index campaigns_organization_id_status_idx on campaigns (organization_id, status);
select manage_updated_at('campaigns');

-- An ideal customer profile: what the demographic sub-score compares a lead against.
create table icp_profiles
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    name            text        not null,
    industries      text[]      not null default '{}',
    job_titles      text[]      not null default '{}',
    company_sizes   text[]      not null default '{}',
    countries       text[]      not null default '{}',
    -- Relative importance of this profile when several match.
    weight          int         not null default 100,
    active          boolean     not null default true,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint icp_profiles_pkey primary key (organization_id, id),
    constraint icp_profiles_weight_range check (weight between 0 and 100)
);
select manage_updated_at('icp_profiles');

create type funnel_status as enum ('draft', 'active', 'archived');
create type funnel_step_kind as enum ('landing', 'optin', 'sales', 'checkout', 'upsell', 'thank_you');

-- Reusable step layouts (global catalogue, plus an organization's own).
create table funnel_templates
(
    id              uuid primary key,
    organization_id uuid references organizations (id) on delete cascade,
    name            text        not null,
    steps           jsonb       not null,
    created_at      timestamptz not null default now()
);

create table funnels
(
    organization_id        uuid          not null references organizations (id) on delete cascade,
    id                     uuid          not null,
    name                   text          not null,
    deal_id                uuid,
    campaign_id            uuid,
    status                 funnel_status not null default 'draft',
    -- How long after entering a visitor may still convert and count.
    conversion_window_days int           not null default 30,
    created_at             timestamptz   not null default now(),
    updated_at             timestamptz   not null default now(),
    constraint funnels_pkey primary key (organization_id, id),
    constraint funnels_deal_fkey foreign key (organization_id, deal_id)
        references deals (organization_id, id) on delete set null (deal_id),
    constraint funnels_campaign_fkey foreign key (organization_id, campaign_id)
        references campaigns (organization_id, id) on delete set null (campaign_id),
    constraint funnels_conversion_window_range check (conversion_window_days between 1 and 365)
);
select manage_updated_at('funnels');

create table funnel_steps
(
    organization_id uuid             not null,
    id              uuid             not null,
    funnel_id       uuid             not null,
    position        int              not null,
    kind            funnel_step_kind not null,
    name            text             not null,
    constraint funnel_steps_pkey primary key (organization_id, id),
    constraint funnel_steps_funnel_fkey foreign key (organization_id, funnel_id)
        references funnels (organization_id, id) on delete cascade,
    constraint funnel_steps_position_positive check (position >= 1)
);
create unique index funnel_steps_organization_id_funnel_id_position_key
    on funnel_steps (organization_id, funnel_id, position);
