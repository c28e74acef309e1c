-- Access: the permission catalogue, roles (system and custom), extra grants, invitations,
-- password resets, the session index and the email outbox.

-- Every permission is `resource.action`. The catalogue is global; code checks against it.
create table permissions
(
    key         text primary key,
    description text not null,
    constraint permissions_key_format check (key ~ '^[a-z_]+\.[a-z_]+$')
);

insert into permissions (key, description)
values ('leads.read', 'See leads within the record scope'),
       ('leads.write', 'Create and edit leads'),
       ('leads.assign', 'Assign leads to members and teams'),
       ('leads.import', 'Import leads from CSV'),
       ('leads.export', 'Export leads to CSV'),
       ('partners.read', 'See partners, deals and their performance'),
       ('partners.manage', 'Create and edit partners and deals'),
       ('commissions.approve', 'Approve, reverse and claw back commissions'),
       ('payouts.manage', 'Approve and record partner payouts'),
       ('funnels.manage', 'Create and edit funnels and campaigns'),
       ('billing.read', 'See the plan, credits, invoices and payments'),
       ('billing.manage', 'Change the plan, buy credits, manage payment'),
       ('members.manage', 'Invite, suspend and remove members; manage teams'),
       ('roles.manage', 'Create custom roles and grant roles'),
       ('audit.read', 'Read the audit log'),
       ('api_keys.manage', 'Create and revoke API keys'),
       ('webhooks.manage', 'Manage outgoing webhooks'),
       ('settings.manage', 'Edit organization settings'),
       ('organization.delete', 'Delete the organization'),
       ('organization.transfer', 'Transfer ownership');

-- How far a role reaches into leads.
create type lead_scope as enum ('own', 'team', 'all');

-- What each system role may do (SPEC §1). Fixed: organizations compose custom roles instead.
create table system_role_permissions
(
    role       member_role not null,
    permission text        not null references permissions (key),
    constraint system_role_permissions_pkey primary key (role, permission)
);

insert into system_role_permissions (role, permission)
select 'owner'::member_role, key from permissions
union all
select 'admin', key from permissions where key not in ('organization.delete', 'organization.transfer')
union all
select 'manager', unnest(array ['leads.read', 'leads.write', 'leads.assign', 'leads.import', 'leads.export',
    'partners.read', 'partners.manage', 'funnels.manage', 'members.manage'])
union all
select 'sales_rep', unnest(array ['leads.read', 'leads.write'])
union all
select 'marketing', unnest(array ['leads.read', 'leads.import', 'funnels.manage'])
union all
select 'finance', unnest(array ['leads.read', 'partners.read', 'billing.read', 'billing.manage',
    'commissions.approve', 'payouts.manage'])
union all
select 'viewer', unnest(array ['leads.read', 'partners.read']);
-- partner and api_user get nothing here: the portal and the API check their own rules.

-- A custom role of one organization, composed from the catalogue.
create table roles
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    name            text        not null,
    description     text        not null default '',
    lead_scope      lead_scope  not null default 'own',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint roles_pkey primary key (organization_id, id),
    constraint roles_name_length check (char_length(name) between 1 and 60)
);
create unique index roles_organization_id_name_key on roles (organization_id, lower(name));
select manage_updated_at('roles');

create table role_permissions
(
    organization_id uuid not null,
    role_id         uuid not null,
    permission      text not null references permissions (key),
    constraint role_permissions_pkey primary key (organization_id, role_id, permission),
    constraint role_permissions_role_fkey foreign key (organization_id, role_id)
        references roles (organization_id, id) on delete cascade
);

-- Extra grants on top of a member's base role: a system role or a custom one, optionally
-- until a date (a temporary finance delegate, a contractor).
create table user_roles
(
    organization_id uuid        not null,
    id              uuid        not null,
    user_id         uuid        not null,
    system_role     member_role,
    role_id         uuid,
    expires_at      timestamptz,
    granted_by      uuid references users (id) on delete set null,
    created_at      timestamptz not null default now(),
    constraint user_roles_pkey primary key (organization_id, id),
    constraint user_roles_member_fkey foreign key (organization_id, user_id)
        references organization_members (organization_id, user_id) on delete cascade,
    constraint user_roles_role_fkey foreign key (organization_id, role_id)
        references roles (organization_id, id) on delete cascade,
    constraint user_roles_exactly_one_role check ((system_role is null) <> (role_id is null))
);
create index user_roles_organization_id_user_id_idx on user_roles (organization_id, user_id);

create type invitation_status as enum ('pending', 'accepted', 'revoked', 'expired');

-- An invitation to join an organization. Only the SHA-256 of the token is stored.
create table invitations
(
    organization_id uuid              not null references organizations (id) on delete cascade,
    id              uuid              not null,
    email           citext            not null,
    role            member_role       not null,
    team_id         uuid,
    token_hash      bytea             not null,
    status          invitation_status not null default 'pending',
    expires_at      timestamptz       not null,
    invited_by      uuid references users (id) on delete set null,
    accepted_by     uuid references users (id) on delete set null,
    accepted_at     timestamptz,
    created_at      timestamptz       not null default now(),
    updated_at      timestamptz       not null default now(),
    constraint invitations_pkey primary key (organization_id, id),
    constraint invitations_team_fkey foreign key (organization_id, team_id)
        references teams (organization_id, id) on delete set null (team_id),
    constraint invitations_token_hash_length check (octet_length(token_hash) = 32)
);
create unique index invitations_organization_id_token_hash_key on invitations (organization_id, token_hash);
-- One open invitation per address and organization.
create unique index invitations_organization_id_email_pending_key on invitations (organization_id, email)
    where status = 'pending';
select manage_updated_at('invitations');

-- Single-use password reset tokens (hashed), global like users.
create table password_reset_tokens
(
    id         uuid primary key,
    user_id    uuid        not null references users (id) on delete cascade,
    token_hash bytea       not null,
    expires_at timestamptz not null,
    used_at    timestamptz,
    created_at timestamptz not null default now(),
    constraint password_reset_tokens_token_hash_length check (octet_length(token_hash) = 32)
);
create unique index password_reset_tokens_token_hash_key on password_reset_tokens (token_hash);
create index password_reset_tokens_user_id_idx on password_reset_tokens (user_id);

-- Sessions by user, so a person can list and revoke theirs. The session data itself is
-- in the tower-sessions store; this index is written at sign-in and removed at sign-out.
create table user_sessions
(
    session_id   text primary key,
    user_id      uuid        not null references users (id) on delete cascade,
    ip           inet,
    user_agent   text,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index user_sessions_user_id_idx on user_sessions (user_id);

create type email_status as enum ('pending', 'sent', 'failed');

-- Outgoing mail. Sent through SMTP when configured; otherwise kept for operators to read.
create table email_outbox
(
    id              uuid primary key,
    organization_id uuid references organizations (id) on delete cascade,
    to_address      citext       not null,
    subject         text         not null,
    body_text       text         not null,
    status          email_status not null default 'pending',
    attempts        int          not null default 0,
    last_error      text,
    send_after      timestamptz  not null default now(),
    sent_at         timestamptz,
    created_at      timestamptz  not null default now()
);
create index email_outbox_pending_idx on email_outbox (send_after) where status = 'pending';
