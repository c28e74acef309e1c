-- Sessions and sign-in: the tower-sessions store, the failed-sign-in record that
-- throttling counts, and the grants tenant code needs for invitations.

-- The session store of tower-sessions-sqlx-store, created here rather than by the store
-- at start-up, so the application never needs DDL rights. Same shape the store expects.
create schema if not exists tower_sessions;
create table tower_sessions.session
(
    id          text primary key,
    data        bytea       not null,
    expiry_date timestamptz not null
);
create index session_expiry_date_idx on tower_sessions.session (expiry_date);

-- The index of sessions by user (user_sessions, in the access migration) is keyed by a
-- random handle kept inside the session, not by the store's id, which rotates. Revoking a
-- session deletes its row; the next request carrying it finds no row and is anonymous.
comment on column user_sessions.session_id is
    'Random handle stored in the session data; deleting the row revokes the session.';
alter table user_sessions
    add column absolute_expires_at timestamptz;
update user_sessions set absolute_expires_at = expires_at where absolute_expires_at is null;
alter table user_sessions
    alter column absolute_expires_at set not null;
create index user_sessions_absolute_expires_at_idx on user_sessions (absolute_expires_at);

-- Every failed sign-in, by the address typed and the client address. Throttling counts
-- recent rows; old rows are deleted by the server's upkeep task.
create table sign_in_failures
(
    id         uuid primary key,
    email      citext      not null,
    ip         inet,
    created_at timestamptz not null default now()
);
create index sign_in_failures_email_created_at_idx on sign_in_failures (email, created_at desc);
create index sign_in_failures_ip_created_at_idx on sign_in_failures (ip, created_at desc);

-- Invitations are written inside a tenant transaction, and their email with them.
grant insert on email_outbox to revdesk_app;
