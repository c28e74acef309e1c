-- tenant_leads: the leads of the current tenant, for the list, its count, the board and
-- the export (reads with user-chosen filters).
--
-- Why a view. Under row-level security PostgreSQL evaluates the policy's condition before
-- any condition of the query that is not LEAKPROOF, and only LEAKPROOF conditions may be
-- index conditions. Enum equality (status, priority, source), full-text match, ILIKE and
-- array containment are not LEAKPROOF (and only a superuser may mark a function so), so
-- on `leads` every such filter ran over all of the tenant's rows: a search of a
-- 200,000-lead tenant read 12,500 heap pages to count 5,500 matches.
--
-- The view restricts to the tenant itself, with the same setting the policies read, and
-- it is deliberately not a security barrier: its condition and the query's are planned
-- together, so the search and filter indexes are used. It reads `leads` as its owner,
-- revdesk_tenant_reader, a role with SELECT on leads alone and a policy that lets it read
-- every row; all it can reach is through this view, which adds the tenant condition.
-- With no tenant set the view is empty, and partner users (revdesk_partner, which
-- inherits revdesk_app's grant on the view) get nothing from it: their walls live on
-- `leads`.
--
-- What this gives up: a non-barrier view can, in principle, let a condition of the query
-- run on other tenants' rows before the view's own condition removes them. That matters
-- only for conditions with side effects or errors that depend on row data; the queries
-- that use this view are the application's own (column comparisons, text search,
-- pattern matching), and their results contain only rows the view's condition accepts.

select ensure_switch_role('revdesk_tenant_reader');

grant usage on schema public to revdesk_tenant_reader;
grant select on leads to revdesk_tenant_reader;
create policy tenant_reader on leads for select to revdesk_tenant_reader using (true);

create view tenant_leads with (security_barrier = false) as
select *
from leads
where organization_id = app_current_organization()
  and app_current_partner() is null
  and current_user <> 'revdesk_partner';

comment on view tenant_leads is
    'The current tenant''s leads for filtered reads; see migration 20261201000004.';

alter view tenant_leads owner to revdesk_tenant_reader;
-- The owner keeps reading alone (an owner starts with every privilege on its view).
revoke insert, update, delete, truncate, references, trigger on tenant_leads from revdesk_tenant_reader;
grant select on tenant_leads to revdesk_app;
