-- Session data as jsonb (server/session_store.rs, Revdesk's own store, replaces
-- tower-sessions-sqlx-store's MessagePack). With the data readable in SQL, the request
-- middleware finds a session, its user, its row in user_sessions and the membership of
-- the organization asked for in one statement, joining on the handle the data holds.
--
-- MessagePack records cannot be converted in SQL: every session open before this
-- migration ends, and its user signs in again once.
truncate tower_sessions.session;
alter table tower_sessions.session
    alter column data type jsonb using null;
