-- Identity and tenancy: organizations (the tenants), users, teams and memberships.

create type organization_status as enum ('active', 'suspended', 'cancelled');

-- A tenant. Everything a customer owns hangs off one of these.
create table organizations
(
    id             uuid primary key,
    name           text                not null,
    -- The URL segment in /o/{slug}/…; lowercase letters, digits and dashes.
    slug           text                not null,
    status         organization_status not null default 'active',
    billing_email  citext,
    website        text,
    logo_url       text,
    settings       jsonb               not null default '{}'::jsonb,
    -- Credits available now; the ledger in credit_transactions is the history.
    credit_balance bigint              not null default 0,
    created_at     timestamptz         not null default now(),
    updated_at     timestamptz         not null default now(),
    deleted_at     timestamptz,
    constraint organizations_name_length check (char_length(name) between 1 and 200),
    constraint organizations_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    constraint organizations_credit_balance_non_negative check (credit_balance >= 0)
);
create unique index organizations_slug_key on organizations (slug);
select manage_updated_at('organizations');

create type user_status as enum ('active', 'disabled');

-- A person who can sign in. Global: one user may belong to many organizations.
create table users
(
    id                uuid primary key,
    email             citext      not null,
    -- PHC string ($argon2id$…); null for users who have not set a password yet.
    password_hash     text,
    name              text        not null,
    status            user_status not null default 'active',
    is_platform_admin boolean     not null default false,
    email_verified_at timestamptz,
    last_login_at     timestamptz,
    locale            text        not null default 'en',
    timezone          text        not null default 'UTC',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint users_name_length check (char_length(name) between 1 and 200),
    constraint users_email_format check (email ~ '^[^@\s]+@[^@\s]+$' and char_length(email) <= 254)
);
create unique index users_email_key on users (email);
select manage_updated_at('users');

-- A group of members inside one organization (for record scope "team").
create table teams
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    name            text        not null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint teams_pkey primary key (organization_id, id),
    constraint teams_name_length check (char_length(name) between 1 and 100)
);
create unique index teams_organization_id_name_key on teams (organization_id, lower(name));
select manage_updated_at('teams');

-- The system roles of SPEC §1. Custom roles (per organization) are granted on top.
create type member_role as enum (
    'owner', 'admin', 'manager', 'sales_rep', 'marketing', 'finance', 'viewer', 'partner', 'api_user'
);

create type member_status as enum ('active', 'suspended');

-- A user's membership of an organization, with their base role.
create table organization_members
(
    organization_id uuid          not null references organizations (id) on delete cascade,
    user_id         uuid          not null references users (id) on delete cascade,
    role            member_role   not null,
    team_id         uuid,
    status          member_status not null default 'active',
    invited_by      uuid references users (id) on delete set null,
    joined_at       timestamptz   not null default now(),
    created_at      timestamptz   not null default now(),
    updated_at      timestamptz   not null default now(),
    constraint organization_members_pkey primary key (organization_id, user_id),
    constraint organization_members_team_fkey foreign key (organization_id, team_id)
        references teams (organization_id, id) on delete set null (team_id)
);
-- "Which organizations is this user in?" at sign-in and in the switcher.
create index organization_members_user_id_idx on organization_members (user_id);
select manage_updated_at('organization_members');
