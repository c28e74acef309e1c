//! The session store: tower-sessions records in `tower_sessions.session`, their data as
//! `jsonb`.
//!
//! Revdesk keeps its own store (rather than tower-sessions-sqlx-store's, which encodes
//! the data as MessagePack) so SQL can read inside a session: the request middleware
//! (`session::authenticate`) finds the session, the user it signs in, the session index
//! row and the membership of the organization asked for in one statement, by joining on
//! the handle the session data holds. Every write is one statement; creating a session
//! inserts and retries with a new id on the (astronomically unlikely) collision.

use sqlx::PgPool;
use sqlx::types::Json;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// What tower-sessions keeps in a record (its own alias is private).
type SessionData = std::collections::HashMap<String, serde_json::Value>;

/// tower-sessions' store over the application's pool.
#[derive(Clone, Debug)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    /// A store writing through `pool`.
    pub fn new(pool: PgPool) -> Self {
        PgSessionStore { pool }
    }
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait::async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = sqlx::query_scalar!(
                r#"insert into tower_sessions.session (id, data, expiry_date) values ($1, $2, $3)
                   on conflict (id) do nothing
                   returning true as "inserted!""#,
                record.id.to_string(),
                Json(&record.data) as _,
                record.expiry_date,
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.is_some() {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query!(
            "insert into tower_sessions.session (id, data, expiry_date) values ($1, $2, $3)
             on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
            record.id.to_string(),
            Json(&record.data) as _,
            record.expiry_date,
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            r#"select data as "data: Json<SessionData>", expiry_date
               from tower_sessions.session where id = $1 and expiry_date > now()"#,
            id.to_string(),
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(row.map(|row| Record {
            id: *id,
            data: row.data.0,
            expiry_date: row.expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!(
            "delete from tower_sessions.session where id = $1",
            id.to_string()
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}
