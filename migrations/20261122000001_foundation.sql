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

-- Creates a role the application switches to (`set local role`): it cannot log in, is
-- not a superuser, owns nothing and cannot bypass row-level security. The migrating role
-- (the owner of every table) is made a member so it may switch to it. Roles are
-- cluster-wide, so several databases on one cluster share them; concurrent first
-- migrations may race to create one, hence the exception handlers.
create or replace function ensure_switch_role(_name text) returns void
language plpgsql as
$$
begin
    begin
        if not exists (select 1 from pg_roles where rolname = _name) then
            execute format('create role %I nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls', _name);
        end if;
    exception
        when duplicate_object or unique_violation then null;
    end;
    begin
        execute format('grant %I to %I', _name, current_user);
    exception
        when duplicate_object or unique_violation then null;
    end;
end;
$$;

-- revdesk_app: the role tenant queries run as, with the tenant in a transaction-local
-- setting (see the tenant security migration).
select ensure_switch_role('revdesk_app');

grant usage on schema public to revdesk_app;
