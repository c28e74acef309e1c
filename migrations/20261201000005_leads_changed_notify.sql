-- Every statement that writes leads tells the servers which tenant changed, so the
-- lists' cached match counts (src/leads/counts.rs) are dropped the moment a change
-- commits (NOTIFY is delivered on commit, and not at all on rollback). The payload is
-- the tenant of the transaction; platform work (seeding, removing an organization) has
-- none and sends an empty payload, which drops every cached count.
create or replace function notify_leads_changed() returns trigger
language plpgsql as
$$
begin
    perform pg_notify('revdesk_leads_changed', coalesce(current_setting('app.organization_id', true), ''));
    return null;
end;
$$;

create trigger leads_changed
    after insert or update or delete or truncate on leads
    for each statement execute function notify_leads_changed();
