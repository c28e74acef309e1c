-- Every page of the leads list reads a tenant's first 101 partners and campaigns by name
-- for its filters (`list_choices` in src/leads/db.rs). With these indexes that is a walk
-- of 101 entries in order, not a sort of every partner the tenant has; the tenant
-- condition of the row-level security policy (a uuid equality, which is leakproof) is
-- the index's first column.
create index partners_organization_id_name_idx on partners (organization_id, name, id);
create index campaigns_organization_id_name_idx on campaigns (organization_id, name, id);
