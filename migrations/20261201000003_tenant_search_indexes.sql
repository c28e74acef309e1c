-- Search indexes that lead with the tenant.
--
-- The full-text, substring and tag indexes of the leads table covered every tenant at
-- once, on the assumption that a search matches few rows and the tenant filter can be
-- applied to them afterwards. At scale that fails: a common first name matches tens of
-- thousands of leads across the deployment, and every one of them was fetched from the
-- heap to find the few hundred of the tenant asking. With btree_gin the organization is a
-- key of the same GIN index, so a search reads only the tenant's entries.
create extension if not exists btree_gin;

create index leads_tenant_search_idx on leads using gin (organization_id, search)
    where deleted_at is null;
create index leads_tenant_email_trgm_idx on leads using gin (organization_id, (email::text) gin_trgm_ops)
    where deleted_at is null;
create index leads_tenant_company_trgm_idx on leads using gin (organization_id, company gin_trgm_ops)
    where deleted_at is null;
create index leads_tenant_tags_idx on leads using gin (organization_id, tags)
    where deleted_at is null;

drop index leads_search_idx;
drop index leads_email_trgm_idx;
drop index leads_company_trgm_idx;
drop index leads_tags_idx;
