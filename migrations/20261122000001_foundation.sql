-- Foundation: extensions, the updated_at helper, and the role application queries run as.

-- Case-insensitive text for email addresses and slugs.
create extension if not exists citext;
-- Trigram indexes for substring search (lead email and company).
create extension if not exists pg_trgm;

-- Keeps updated_at honest without every UPDATE having to remember it.
create or replace function set_updated_at() returns trigger
language plpgsql as
$$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- `select manage_updated_at('table')` once per table with an updated_at column.
create or replace function manage_updated_at(_tbl regclass) returns void
language plpgsql as
$$
begin
    execute format(
        'create trigger set_updated_at before update on %s for each row execute function set_updated_at()',
        _tbl
    );
end;
$$;

-- revdesk_app: the role tenant queries run as (`set local role revdesk_app` inside each
-- transaction). It cannot log in, is not a superuser, owns nothing and cannot bypass
-- row-level security. Roles are cluster-wide, so several databases on one cluster share
-- it; concurrent first migrations may race to create it, hence the exception handler.
do
$$
begin
    if not exists (select 1 from pg_roles where rolname = 'revdesk_app') then
        create role revdesk_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    end if;
exception
    when duplicate_object or unique_violation then null;
end;
$$;

-- The migrating role (the owner of every table) may switch to revdesk_app.
do
$$
begin
    execute format('grant revdesk_app to %I', current_user);
exception
    when duplicate_object or unique_violation then null;
end;
$$;

grant usage on schema public to revdesk_app;
