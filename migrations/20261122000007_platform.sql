-- Platform: audit, API keys, outgoing webhooks, the event outbox, notifications,
-- analytics events and settings.

-- Who did what inside an organization. Append-only.
create table audit_logs
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    actor_user_id   uuid        references users (id) on delete set null,
    actor_api_key_id uuid,
    -- Set when a platform admin acted through a support session.
    support_session_id uuid,
    action          text        not null,
    entity_type     text        not null,
    entity_id       text,
    before          jsonb,
    after           jsonb,
    ip              inet,
    user_agent      text,
    request_id      text,
    created_at      timestamptz not null default now(),
    constraint audit_logs_pkey primary key (organization_id, id)
);
create index audit_logs_organization_id_created_at_idx on audit_logs (organization_id, created_at desc, id desc);
create index audit_logs_organization_id_actor_idx on audit_logs (organization_id, actor_user_id, created_at desc);
create index audit_logs_organization_id_entity_idx on audit_logs (organization_id, entity_type, entity_id);

create trigger audit_logs_append_only
    before update or delete on audit_logs
    for each row execute function refuse_ledger_change();

-- Events outside any organization: sign-in attempts, platform admin actions.
create table platform_audit_logs
(
    id              uuid primary key,
    actor_user_id   uuid        references users (id) on delete set null,
    organization_id uuid        references organizations (id) on delete set null,
    action          text        not null,
    detail          jsonb       not null default '{}'::jsonb,
    ip              inet,
    user_agent      text,
    request_id      text,
    created_at      timestamptz not null default now()
);
create index platform_audit_logs_created_at_idx on platform_audit_logs (created_at desc);

create trigger platform_audit_logs_append_only
    before update or delete on platform_audit_logs
    for each row execute function refuse_ledger_change();

-- Machine access. The key is shown once; stored are its public prefix and the SHA-256
-- of the secret part.
create table api_keys
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    name            text        not null,
    prefix          text        not null,
    secret_hash     bytea       not null,
    scopes          text[]      not null default '{}',
    created_by      uuid        references users (id) on delete set null,
    last_used_at    timestamptz,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz not null default now(),
    constraint api_keys_pkey primary key (organization_id, id),
    constraint api_keys_secret_hash_length check (octet_length(secret_hash) = 32)
);
create unique index api_keys_organization_id_prefix_key on api_keys (organization_id, prefix);

-- Outgoing webhook endpoints of an organization.
create table webhooks
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    url             text        not null,
    -- Used to sign deliveries (HMAC-SHA256); shown to the admin who created it.
    secret          text        not null,
    event_types     text[]      not null default '{}',
    active          boolean     not null default true,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint webhooks_pkey primary key (organization_id, id),
    constraint webhooks_url_https check (url ~ '^https?://')
);
select manage_updated_at('webhooks');

-- Announcements of changes, written in the same transaction as the change.
create table event_outbox
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    event_type      text        not null,
    payload         jsonb       not null,
    created_at      timestamptz not null default now(),
    published_at    timestamptz,
    constraint event_outbox_pkey primary key (organization_id, id)
);
create index event_outbox_unpublished_idx on event_outbox (created_at) where published_at is null;

create type delivery_status as enum ('pending', 'succeeded', 'failed');

create table webhook_deliveries
(
    organization_id uuid            not null,
    id              uuid            not null,
    webhook_id      uuid            not null,
    event_id        uuid            not null,
    status          delivery_status not null default 'pending',
    attempts        int             not null default 0,
    response_code   int,
    last_error      text,
    next_attempt_at timestamptz,
    created_at      timestamptz     not null default now(),
    updated_at      timestamptz     not null default now(),
    constraint webhook_deliveries_pkey primary key (organization_id, id),
    constraint webhook_deliveries_webhook_fkey foreign key (organization_id, webhook_id)
        references webhooks (organization_id, id) on delete cascade,
    constraint webhook_deliveries_event_fkey foreign key (organization_id, event_id)
        references event_outbox (organization_id, id) on delete cascade
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_organization_id_webhook_id_idx
    on webhook_deliveries (organization_id, webhook_id, created_at desc);
select manage_updated_at('webhook_deliveries');

create table notifications
(
    organization_id uuid        not null,
    id              uuid        not null,
    user_id         uuid        not null,
    kind            text        not null,
    title           text        not null,
    body            text        not null default '',
    link            text,
    read_at         timestamptz,
    created_at      timestamptz not null default now(),
    constraint notifications_pkey primary key (organization_id, id),
    constraint notifications_member_fkey foreign key (organization_id, user_id)
        references organization_members (organization_id, user_id) on delete cascade
);
create index notifications_organization_id_user_id_idx on notifications (organization_id, user_id, created_at desc);

create table analytics_events
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    name            text        not null,
    user_id         uuid        references users (id) on delete set null,
    properties      jsonb       not null default '{}'::jsonb,
    occurred_at     timestamptz not null default now(),
    constraint analytics_events_pkey primary key (organization_id, id)
);
create index analytics_events_organization_id_name_idx on analytics_events (organization_id, name, occurred_at desc);

-- One typed home for the seeds' settings tables: a row per organization and group, the
-- group's fields in a JSON document that the application parses into its own type.
create type settings_group as enum (
    'platform', 'ai_templates', 'report_configuration', 'industry', 'payment', 'integrations', 'automation_rules'
);

create table organization_settings
(
    organization_id uuid           not null references organizations (id) on delete cascade,
    settings_group  settings_group not null,
    settings        jsonb          not null default '{}'::jsonb,
    updated_by      uuid           references users (id) on delete set null,
    updated_at      timestamptz    not null default now(),
    constraint organization_settings_pkey primary key (organization_id, settings_group),
    constraint organization_settings_is_object check (jsonb_typeof(settings) = 'object')
);
select manage_updated_at('organization_settings');

create table system_settings
(
    key        text primary key,
    value      jsonb       not null,
    updated_at timestamptz not null default now()
);
select manage_updated_at('system_settings');

-- A platform admin's explicit, time-limited entry into one tenant.
-- Tenant-owned, so the organization's own admins can see who entered and why.
create table support_sessions
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    admin_user_id   uuid        not null references users (id) on delete cascade,
    reason          text        not null,
    started_at      timestamptz not null default now(),
    expires_at      timestamptz not null,
    ended_at        timestamptz,
    constraint support_sessions_pkey primary key (organization_id, id),
    constraint support_sessions_reason_given check (char_length(reason) between 5 and 500),
    constraint support_sessions_expiry check (expires_at > started_at)
);
create index support_sessions_admin_user_id_idx on support_sessions (admin_user_id, started_at desc);
