-- Partner users get a switch role of their own, revdesk_partner.
--
-- Until now the partner walls (partner_own_rows, RESTRICTIVE) applied to revdesk_app, so
-- every staff query carried `app_current_partner() is null or partner_id = …` as well.
-- The planner cannot see through that clause (it estimates `… is null` at 0.5 %), so on
-- a large tenant it thought a list had a few hundred rows and scanned the whole tenant
-- where it should have stopped after one page of an index.
--
-- revdesk_partner is a member of revdesk_app and INHERITS it: it has exactly revdesk_app's
-- grants, and revdesk_app's policies (tenant_isolation) apply to it too, because a policy
-- applies to the roles whose privileges the current role has. The partner walls now name
-- revdesk_partner alone, so they bind partner users and no one else. revdesk_app is not
-- a member of revdesk_partner, so staff queries no longer carry the clause.
--
-- Roles are cluster-wide: databases on one cluster share them, and concurrent first
-- migrations may race to create this one, hence the exception handlers.
do
$$
begin
    begin
        if not exists (select 1 from pg_roles where rolname = 'revdesk_partner') then
            create role revdesk_partner nologin nosuperuser nocreatedb nocreaterole inherit nobypassrls;
        end if;
    exception
        when duplicate_object or unique_violation then null;
    end;
    begin
        grant revdesk_app to revdesk_partner;
    exception
        when duplicate_object or unique_violation then null;
    end;
    begin
        execute format('grant revdesk_partner to %I', current_user);
    exception
        when duplicate_object or unique_violation then null;
    end;
end;
$$;

alter policy partner_own_rows on partners to revdesk_partner;
alter policy partner_own_rows on leads to revdesk_partner;
alter policy partner_own_rows on deals to revdesk_partner;
alter policy partner_own_rows on commission_entries to revdesk_partner;
alter policy partner_own_rows on payouts to revdesk_partner;

-- A partner session always has its partner set; without it the wall shows nothing
-- (before, a missing partner id meant "staff" and opened every row of the tenant).
alter policy partner_own_rows on partners using (id = app_current_partner());
alter policy partner_own_rows on leads using (partner_id = app_current_partner());
alter policy partner_own_rows on deals using (partner_id = app_current_partner());
alter policy partner_own_rows on commission_entries using (partner_id = app_current_partner());
alter policy partner_own_rows on payouts using (partner_id = app_current_partner());
