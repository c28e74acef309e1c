-- Partner money (commission ledger, payouts) and the organization's own billing.

create type payout_status as enum ('requested', 'approved', 'paid', 'failed');

create table payouts
(
    organization_id uuid          not null,
    id              uuid          not null,
    partner_id      uuid          not null,
    amount_minor    bigint        not null,
    currency        char(3)       not null,
    status          payout_status not null default 'requested',
    requested_by    uuid          references users (id) on delete set null,
    approved_by     uuid          references users (id) on delete set null,
    -- The provider's or bank's reference once paid.
    reference       text,
    failure_reason  text,
    requested_at    timestamptz   not null default now(),
    approved_at     timestamptz,
    paid_at         timestamptz,
    updated_at      timestamptz   not null default now(),
    constraint payouts_pkey primary key (organization_id, id),
    constraint payouts_partner_fkey foreign key (organization_id, partner_id)
        references partners (organization_id, id) on delete restrict,
    constraint payouts_amount_positive check (amount_minor > 0),
    constraint payouts_currency_format check (currency ~ '^[A-Z]{3}$')
);
create index payouts_organization_id_partner_id_idx on payouts (organization_id, partner_id, requested_at desc);
select manage_updated_at('payouts');

create type commission_entry_kind as enum ('accrual', 'approval', 'reversal', 'clawback', 'payout');

-- Append-only. A commission is the set of entries sharing commission_id; its state
-- (pending/approved/paid/reversed) is derived from them (see the commissions view).
-- Amounts are signed: an accrual adds, a reversal or clawback subtracts, approval is 0.
create table commission_entries
(
    organization_id uuid                  not null,
    id              uuid                  not null,
    commission_id   uuid                  not null,
    partner_id      uuid                  not null,
    deal_id         uuid,
    lead_id         uuid,
    payout_id       uuid,
    kind            commission_entry_kind not null,
    amount_minor    bigint                not null,
    currency        char(3)               not null,
    note            text,
    actor_id        uuid                  references users (id) on delete set null,
    created_at      timestamptz           not null default now(),
    constraint commission_entries_pkey primary key (organization_id, id),
    constraint commission_entries_partner_fkey foreign key (organization_id, partner_id)
        references partners (organization_id, id) on delete restrict,
    constraint commission_entries_deal_fkey foreign key (organization_id, deal_id)
        references deals (organization_id, id) on delete restrict,
    constraint commission_entries_lead_fkey foreign key (organization_id, lead_id)
        references leads (organization_id, id) on delete restrict,
    constraint commission_entries_payout_fkey foreign key (organization_id, payout_id)
        references payouts (organization_id, id) on delete restrict,
    constraint commission_entries_sign check (
        (kind = 'accrual' and amount_minor > 0) or
        (kind in ('reversal', 'clawback') and amount_minor < 0) or
        (kind in ('approval', 'payout') and amount_minor = 0)),
    constraint commission_entries_currency_format check (currency ~ '^[A-Z]{3}$')
);
create index commission_entries_organization_id_partner_id_idx
    on commission_entries (organization_id, partner_id, created_at desc);
create index commission_entries_organization_id_commission_id_idx
    on commission_entries (organization_id, commission_id, created_at);
-- One accrual per commission; one of each closing entry.
create unique index commission_entries_one_accrual_key
    on commission_entries (organization_id, commission_id) where kind = 'accrual';

-- Ledgers are append-only: corrections are new entries, never edits.
create or replace function refuse_ledger_change() returns trigger
language plpgsql as
$$
begin
    raise exception '% is append-only: add a correcting entry instead', tg_table_name
        using errcode = 'restrict_violation';
end;
$$;

create trigger commission_entries_append_only
    before update or delete on commission_entries
    for each row execute function refuse_ledger_change();

-- Billing ------------------------------------------------------------------------------

create type billing_interval as enum ('month', 'year');

-- The platform's plan catalogue.
create table subscription_plans
(
    id               uuid primary key,
    code             text             not null,
    name             text             not null,
    price_minor      bigint           not null,
    currency         char(3)          not null default 'USD',
    interval         billing_interval not null default 'month',
    included_credits bigint           not null default 0,
    max_users        int,
    features         text[]           not null default '{}',
    trial_days       int              not null default 0,
    active           boolean          not null default true,
    created_at       timestamptz      not null default now(),
    updated_at       timestamptz      not null default now(),
    constraint subscription_plans_price_non_negative check (price_minor >= 0 and included_credits >= 0),
    constraint subscription_plans_currency_format check (currency ~ '^[A-Z]{3}$')
);
create unique index subscription_plans_code_key on subscription_plans (code);
select manage_updated_at('subscription_plans');

create type subscription_status as enum ('trialing', 'active', 'past_due', 'cancelled', 'expired');

create table organization_subscriptions
(
    organization_id      uuid                not null references organizations (id) on delete cascade,
    id                   uuid                not null,
    plan_id              uuid                not null references subscription_plans (id),
    status               subscription_status not null,
    current_period_start timestamptz         not null,
    current_period_end   timestamptz         not null,
    trial_ends_at        timestamptz,
    cancel_at_period_end boolean             not null default false,
    cancelled_at         timestamptz,
    created_at           timestamptz         not null default now(),
    updated_at           timestamptz         not null default now(),
    constraint organization_subscriptions_pkey primary key (organization_id, id),
    constraint organization_subscriptions_period_ordered check (current_period_end > current_period_start)
);
-- At most one live subscription per organization.
create unique index organization_subscriptions_live_key on organization_subscriptions (organization_id)
    where status in ('trialing', 'active', 'past_due');
select manage_updated_at('organization_subscriptions');

create type invoice_status as enum ('draft', 'open', 'paid', 'void', 'uncollectible');

create table invoices
(
    organization_id uuid           not null references organizations (id) on delete cascade,
    id              uuid           not null,
    number          text           not null,
    subscription_id uuid,
    status          invoice_status not null default 'draft',
    currency        char(3)        not null,
    subtotal_minor  bigint         not null default 0,
    tax_minor       bigint         not null default 0,
    total_minor     bigint         not null default 0,
    issued_at       timestamptz,
    due_at          timestamptz,
    paid_at         timestamptz,
    created_at      timestamptz    not null default now(),
    updated_at      timestamptz    not null default now(),
    constraint invoices_pkey primary key (organization_id, id),
    constraint invoices_subscription_fkey foreign key (organization_id, subscription_id)
        references organization_subscriptions (organization_id, id) on delete set null (subscription_id),
    constraint invoices_total_is_subtotal_plus_tax check (total_minor = subtotal_minor + tax_minor),
    constraint invoices_currency_format check (currency ~ '^[A-Z]{3}$')
);
create unique index invoices_organization_id_number_key on invoices (organization_id, number);
create index invoices_organization_id_created_at_idx on invoices (organization_id, created_at desc);
select manage_updated_at('invoices');

create table invoice_line_items
(
    organization_id   uuid   not null,
    id                uuid   not null,
    invoice_id        uuid   not null,
    description       text   not null,
    quantity          bigint not null,
    unit_amount_minor bigint not null,
    amount_minor      bigint not null,
    constraint invoice_line_items_pkey primary key (organization_id, id),
    constraint invoice_line_items_invoice_fkey foreign key (organization_id, invoice_id)
        references invoices (organization_id, id) on delete cascade,
    constraint invoice_line_items_amount_is_quantity_times_unit check (amount_minor = quantity * unit_amount_minor),
    constraint invoice_line_items_quantity_positive check (quantity > 0)
);
create index invoice_line_items_organization_id_invoice_id_idx on invoice_line_items (organization_id, invoice_id);

-- An invoice's subtotal equals the sum of its lines, checked at commit so an invoice and
-- its lines can be written in any order inside one transaction.
create or replace function assert_invoice_subtotal(_org uuid, _id uuid) returns void
language plpgsql as
$$
declare
    _subtotal bigint;
    _lines    bigint;
begin
    select subtotal_minor into _subtotal from invoices where organization_id = _org and id = _id;
    if not found then
        return;
    end if;
    select coalesce(sum(amount_minor), 0) into _lines
    from invoice_line_items where organization_id = _org and invoice_id = _id;
    if _subtotal <> _lines then
        raise exception 'invoice % subtotal % differs from the sum of its lines %', _id, _subtotal, _lines
            using errcode = 'check_violation', constraint = 'invoices_subtotal_is_sum_of_lines';
    end if;
end;
$$;

create or replace function check_invoice_subtotal() returns trigger
language plpgsql as
$$
begin
    perform assert_invoice_subtotal(new.organization_id, new.id);
    return null;
end;
$$;

create or replace function check_line_item_subtotal() returns trigger
language plpgsql as
$$
begin
    if tg_op <> 'INSERT' then
        perform assert_invoice_subtotal(old.organization_id, old.invoice_id);
    end if;
    if tg_op <> 'DELETE' then
        perform assert_invoice_subtotal(new.organization_id, new.invoice_id);
    end if;
    return null;
end;
$$;

create constraint trigger invoices_subtotal_is_sum_of_lines
    after insert or update on invoices deferrable initially deferred
    for each row execute function check_invoice_subtotal();
create constraint trigger invoice_line_items_sum_to_subtotal
    after insert or update or delete on invoice_line_items deferrable initially deferred
    for each row execute function check_line_item_subtotal();

create type credit_kind as enum ('earned', 'purchased', 'consumed', 'expired', 'adjusted');

-- Append-only credit ledger. The balance lives on organizations.credit_balance (which
-- cannot go negative) and every entry records the balance after it.
create table credit_transactions
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    kind            credit_kind not null,
    amount          bigint      not null,
    balance_after   bigint      not null,
    source          text        not null,
    reference       text,
    expires_at      timestamptz,
    -- The same key twice is the same request: applied once.
    idempotency_key text,
    actor_id        uuid        references users (id) on delete set null,
    created_at      timestamptz not null default now(),
    constraint credit_transactions_pkey primary key (organization_id, id),
    constraint credit_transactions_sign check (
        (kind in ('earned', 'purchased') and amount > 0) or
        (kind in ('consumed', 'expired') and amount < 0) or
        (kind = 'adjusted' and amount <> 0)),
    constraint credit_transactions_balance_non_negative check (balance_after >= 0)
);
create unique index credit_transactions_organization_id_idempotency_key_key
    on credit_transactions (organization_id, idempotency_key) where idempotency_key is not null;
create index credit_transactions_organization_id_created_at_idx
    on credit_transactions (organization_id, created_at desc);

create trigger credit_transactions_append_only
    before update or delete on credit_transactions
    for each row execute function refuse_ledger_change();

-- What each billable action costs in credits (platform catalogue).
create table credit_events
(
    key         text primary key,
    description text   not null,
    cost        bigint not null,
    constraint credit_events_cost_non_negative check (cost >= 0)
);

-- Credit packs for sale (platform catalogue).
create table credit_products
(
    id          uuid primary key,
    name        text        not null,
    credits     bigint      not null,
    price_minor bigint      not null,
    currency    char(3)     not null default 'USD',
    active      boolean     not null default true,
    created_at  timestamptz not null default now(),
    constraint credit_products_positive check (credits > 0 and price_minor >= 0)
);

create table usage_records
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    event_key       text        not null references credit_events (key),
    quantity        bigint      not null default 1,
    credits         bigint      not null,
    occurred_at     timestamptz not null default now(),
    constraint usage_records_pkey primary key (organization_id, id)
);
create index usage_records_organization_id_occurred_at_idx on usage_records (organization_id, occurred_at desc);

-- Platform coupons.
create table coupons
(
    id              uuid primary key,
    code            citext      not null,
    percent_off     int,
    amount_off      bigint,
    currency        char(3),
    max_redemptions int,
    expires_at      timestamptz,
    created_at      timestamptz not null default now(),
    constraint coupons_code_key unique (code),
    constraint coupons_one_discount check ((percent_off is null) <> (amount_off is null)),
    constraint coupons_percent_range check (percent_off is null or percent_off between 1 and 100)
);

create table coupon_redemptions
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    id              uuid        not null,
    coupon_id       uuid        not null references coupons (id),
    redeemed_by     uuid        references users (id) on delete set null,
    redeemed_at     timestamptz not null default now(),
    constraint coupon_redemptions_pkey primary key (organization_id, id)
);
create unique index coupon_redemptions_organization_id_coupon_id_key on coupon_redemptions (organization_id, coupon_id);

create type payment_status as enum ('pending', 'processing', 'completed', 'failed', 'cancelled', 'expired');
create type payment_purpose as enum ('subscription', 'credits', 'invoice');

-- A checkout started with a payment provider.
create table payment_sessions
(
    organization_id   uuid            not null references organizations (id) on delete cascade,
    id                uuid            not null,
    provider          text            not null,
    -- Our reference, sent to the provider and echoed in its webhooks.
    reference         text            not null,
    purpose           payment_purpose not null,
    amount_minor      bigint          not null,
    currency          char(3)         not null,
    status            payment_status  not null default 'pending',
    invoice_id        uuid,
    credit_product_id uuid            references credit_products (id),
    plan_id           uuid            references subscription_plans (id),
    expires_at        timestamptz     not null,
    completed_at      timestamptz,
    created_by        uuid            references users (id) on delete set null,
    created_at        timestamptz     not null default now(),
    updated_at        timestamptz     not null default now(),
    constraint payment_sessions_pkey primary key (organization_id, id),
    constraint payment_sessions_invoice_fkey foreign key (organization_id, invoice_id)
        references invoices (organization_id, id) on delete set null (invoice_id),
    constraint payment_sessions_amount_positive check (amount_minor > 0),
    constraint payment_sessions_currency_format check (currency ~ '^[A-Z]{3}$')
);
create unique index payment_sessions_organization_id_reference_key on payment_sessions (organization_id, reference);
select manage_updated_at('payment_sessions');

create table payment_transactions
(
    organization_id         uuid           not null,
    id                      uuid           not null,
    session_id              uuid           not null,
    provider                text           not null,
    provider_transaction_id text           not null,
    amount_minor            bigint         not null,
    currency                char(3)        not null,
    status                  payment_status not null,
    created_at              timestamptz    not null default now(),
    constraint payment_transactions_pkey primary key (organization_id, id),
    constraint payment_transactions_session_fkey foreign key (organization_id, session_id)
        references payment_sessions (organization_id, id) on delete restrict
);
create unique index payment_transactions_organization_id_provider_key
    on payment_transactions (organization_id, provider, provider_transaction_id);

-- Incoming provider events. Unique per provider event id: a redelivery is recognised and
-- applied at most once.
create table webhook_events
(
    id                uuid primary key,
    provider          text        not null,
    provider_event_id text        not null,
    event_type        text        not null,
    payload           jsonb       not null,
    received_at       timestamptz not null default now(),
    processed_at      timestamptz,
    error             text,
    constraint webhook_events_provider_event_key unique (provider, provider_event_id)
);
