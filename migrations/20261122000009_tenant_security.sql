-- Row-level security: the second wall behind the application's own scoping.
--
-- Tenant queries run as revdesk_app with the tenant in a transaction-local setting
-- (set_config('app.organization_id', …, true)); every tenant table lets revdesk_app see
-- and write only that tenant's rows. Platform work (the operator console, sign-in's
-- "which organizations is this user in", seeding) runs as revdesk_platform, which sees
-- every tenant but is still not a superuser and cannot bypass RLS elsewhere. The table
-- owner gets no policy at all: FORCE makes it see nothing, so a query that forgot to
-- switch role fails closed.

create or replace function app_current_organization() returns uuid
language sql stable as
$$
select nullif(current_setting('app.organization_id', true), '')::uuid
$$;

-- Set for partner users: they see only their own rows, whatever else allows.
create or replace function app_current_partner() returns uuid
language sql stable as
$$
select nullif(current_setting('app.partner_id', true), '')::uuid
$$;

select ensure_switch_role('revdesk_platform');

grant usage on schema public to revdesk_platform;
grant select, insert, update, delete on all tables in schema public to revdesk_platform;
grant execute on all functions in schema public to revdesk_app, revdesk_platform;
-- Role management is for migrations only.
revoke execute on function ensure_switch_role(text) from public, revdesk_app, revdesk_platform;

-- Every table with a not-null organization_id is a tenant table.
do
$$
declare
    _table text;
begin
    for _table in
        select c.relname
        from pg_class c
                 join pg_namespace n on n.oid = c.relnamespace
                 join pg_attribute a on a.attrelid = c.oid
        where n.nspname = 'public' and c.relkind = 'r'
          and a.attname = 'organization_id' and a.attnotnull and not a.attisdropped
        loop
            execute format('alter table %I enable row level security', _table);
            execute format('alter table %I force row level security', _table);
            execute format(
                'create policy tenant_isolation on %I to revdesk_app
                     using (organization_id = app_current_organization())
                     with check (organization_id = app_current_organization())', _table);
            execute format('create policy platform_access on %I to revdesk_platform using (true) with check (true)', _table);
            execute format('grant select, insert, update, delete on %I to revdesk_app', _table);
        end loop;
end;
$$;

-- The tenant itself: an organization sees its own row.
alter table organizations enable row level security;
alter table organizations force row level security;
create policy tenant_isolation on organizations to revdesk_app
    using (id = app_current_organization()) with check (id = app_current_organization());
create policy platform_access on organizations to revdesk_platform using (true) with check (true);
grant select, update on organizations to revdesk_app;

-- Templates: the global catalogue plus the tenant's own.
alter table funnel_templates enable row level security;
alter table funnel_templates force row level security;
create policy tenant_isolation on funnel_templates to revdesk_app
    using (organization_id is null or organization_id = app_current_organization())
    with check (organization_id = app_current_organization());
create policy platform_access on funnel_templates to revdesk_platform using (true) with check (true);
grant select, insert, update, delete on funnel_templates to revdesk_app;

-- Partner users see only their own partner's rows. RESTRICTIVE: no other policy can
-- widen it. (Staff have no app.partner_id, so for them it is always true.)
create policy partner_own_rows on partners as restrictive to revdesk_app
    using (app_current_partner() is null or id = app_current_partner());
create policy partner_own_rows on leads as restrictive to revdesk_app
    using (app_current_partner() is null or partner_id = app_current_partner());
create policy partner_own_rows on deals as restrictive to revdesk_app
    using (app_current_partner() is null or partner_id = app_current_partner());
create policy partner_own_rows on commission_entries as restrictive to revdesk_app
    using (app_current_partner() is null or partner_id = app_current_partner());
create policy partner_own_rows on payouts as restrictive to revdesk_app
    using (app_current_partner() is null or partner_id = app_current_partner());

-- Catalogues everyone may read.
grant select on permissions, system_role_permissions, subscription_plans, credit_events,
    credit_products, coupons to revdesk_app;
-- Users are global; tenant code may read who someone is, never their password hash.
grant select (id, email, name, status, locale, timezone, is_platform_admin, last_login_at, created_at)
    on users to revdesk_app;

-- Ledgers: insert and read only, for every role (the triggers also refuse the owner).
revoke update, delete on credit_transactions, commission_entries, audit_logs, platform_audit_logs
    from revdesk_app, revdesk_platform;

grant select on commissions, partner_performance, monthly_revenue, lead_funnel_metrics, report_metrics,
    payment_metrics to revdesk_app;
