-- CSV import of leads: an upload is parsed as it streams in and its rows are staged
-- here; a background worker then applies them in batches, each batch committing its
-- leads together with the import's progress, so a run survives a restart and resumes
-- where it stopped.

-- Row-level security for a tenant table created after the tenant-security migration:
-- the same two policies and grants that migration gave every tenant table.
create or replace function secure_tenant_table(_tbl regclass) returns void
language plpgsql as
$$
begin
    execute format('alter table %s enable row level security', _tbl);
    execute format('alter table %s force row level security', _tbl);
    execute format(
        'create policy tenant_isolation on %s to revdesk_app
             using (organization_id = app_current_organization())
             with check (organization_id = app_current_organization())', _tbl);
    execute format('create policy platform_access on %s to revdesk_platform using (true) with check (true)', _tbl);
    execute format('grant select, insert, update, delete on %s to revdesk_app, revdesk_platform', _tbl);
end;
$$;
revoke execute on function secure_tenant_table(regclass) from public, revdesk_app, revdesk_platform;

create type lead_import_status as enum ('uploaded', 'queued', 'running', 'done', 'failed');
-- create: new emails become leads, known emails are skipped; upsert: known emails are updated.
create type lead_import_mode as enum ('create', 'upsert');

create table lead_imports
(
    organization_id uuid               not null references organizations (id) on delete cascade,
    id              uuid               not null,
    created_by      uuid               not null references users (id) on delete cascade,
    filename        text               not null,
    -- The file's header row, as written.
    header          text[]             not null,
    -- Per column of the file, the lead field it fills ('' = ignored).
    mapping         text[]             not null default '{}',
    mode            lead_import_mode   not null default 'create',
    -- A dry run reports what would happen and writes no lead.
    dry_run         boolean            not null default true,
    status          lead_import_status not null default 'uploaded',
    total_rows      int                not null default 0,
    -- Rows applied so far; a resumed run continues after the last committed batch.
    processed_rows  int                not null default 0,
    created_rows    int                not null default 0,
    updated_rows    int                not null default 0,
    skipped_rows    int                not null default 0,
    error_rows      int                not null default 0,
    failure         text,
    -- Set by the worker after every batch; a stale heartbeat means the worker died.
    heartbeat_at    timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    created_at      timestamptz        not null default now(),
    constraint lead_imports_pkey primary key (organization_id, id),
    constraint lead_imports_member_fkey foreign key (organization_id, created_by)
        references organization_members (organization_id, user_id) on delete cascade,
    constraint lead_imports_progress check (processed_rows between 0 and total_rows),
    constraint lead_imports_mapping_fits check (cardinality(mapping) in (0, cardinality(header)))
);
create index lead_imports_organization_id_created_at_idx on lead_imports (organization_id, created_at desc);
-- The worker's queue: only unfinished imports.
create index lead_imports_queue_idx on lead_imports (created_at) where status in ('queued', 'running');

create table lead_import_rows
(
    organization_id uuid  not null,
    import_id       uuid  not null,
    -- The line of the file (the header is line 1).
    line            int   not null,
    -- The row's cells, a JSON array of strings (batches insert through unnest(jsonb[])).
    cells           jsonb not null,
    -- What was wrong with the row as uploaded (ragged, a cell too long), if anything.
    problem         text,
    -- After the run: created, updated, skipped or error (with why).
    outcome         text,
    error           text,
    constraint lead_import_rows_pkey primary key (organization_id, import_id, line),
    constraint lead_import_rows_import_fkey foreign key (organization_id, import_id)
        references lead_imports (organization_id, id) on delete cascade,
    constraint lead_import_rows_cells_array check (jsonb_typeof(cells) = 'array'),
    constraint lead_import_rows_outcome check (outcome in ('created', 'updated', 'skipped', 'error'))
);

-- The mapping an organization chose last time for a column header, offered again for
-- the next file with that header.
create table lead_import_mappings
(
    organization_id uuid        not null references organizations (id) on delete cascade,
    header          citext      not null,
    field           text        not null,
    updated_at      timestamptz not null default now(),
    constraint lead_import_mappings_pkey primary key (organization_id, header)
);
select manage_updated_at('lead_import_mappings');

select secure_tenant_table('lead_imports');
select secure_tenant_table('lead_import_rows');
select secure_tenant_table('lead_import_mappings');
