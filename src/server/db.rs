//! The connection pool, migrations and the readiness check.

use crate::status::model::DatabaseStatus;
use sqlx::ConnectOptions;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, Postgres};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A pooled connection idle at least this long is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a pool. Connections are checked out lazily, so a server can start (and answer
/// `/healthz`) while the database is still coming up; `/readyz` tells the difference.
/// Statements slower than `slow` are logged as warnings (bulk loading passes a long one:
/// every batch insert is slow by design).
pub fn connect_lazy(
    url: &str,
    max_connections: u32,
    slow: Duration,
) -> Result<PgPool, sqlx::Error> {
    // JIT compilation pays off for long analytical queries only; for this application's
    // short statements it added 20-25 ms to the capped count of a large tenant's list.
    let options = PgConnectOptions::from_str(url)?
        .options([("jit", "off")])
        .log_slow_statements(log::LevelFilter::Warn, slow);
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        // sqlx pings every connection it hands out, a round trip per checkout (three per
        // page). Only a connection that sat idle can have been closed under us (a server
        // restart, a proxy's idle timeout): ping those, as HikariCP does past 500 ms.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < PING_AFTER_IDLE {
                    return Ok(true);
                }
                Ok(sqlx::Connection::ping(conn).await.is_ok())
            })
        })
        .after_release(|conn, _| Box::pin(async move { end_stray_transaction(conn).await }))
        .connect_lazy_with(options))
}

/// A request cancelled mid-transaction (the browser went away) could hand its connection
/// back to the pool with a transaction still open on the server: sqlx 0.8 does not roll
/// back a `BEGIN` whose future was dropped before it completed. The next borrower's
/// autocommit statements would then run inside it and never commit (seen as a sign-out
/// whose deletes were lost). [`begin`] runs `BEGIN` in a task of its own so that cannot
/// happen; as a second line, every released connection is probed and rolled back if it
/// is inside a transaction.
///
/// The probe is one round trip. sqlx first reads every response still owed (such a
/// `BEGIN`'s), then sends it; with the simple query protocol `now()` equals
/// `statement_timestamp()` exactly when the statement runs in its own implicit
/// transaction (PostgreSQL starts it at the statement's timestamp), and is earlier inside
/// an open one, begun at least a round trip ago. No errors or warnings on either side,
/// so the server's log stays clean.
pub async fn end_stray_transaction(conn: &mut sqlx::PgConnection) -> Result<bool, sqlx::Error> {
    let row =
        sqlx::Executor::fetch_one(&mut *conn, "select now() <> statement_timestamp()").await?;
    let in_transaction: bool = sqlx::Row::try_get(&row, 0)?;
    if in_transaction {
        tracing::warn!("a pooled connection came back inside a transaction; rolling it back");
        sqlx::Executor::execute(&mut *conn, "rollback").await?;
    }
    Ok(true)
}

/// Starts a transaction in a task of its own, so that a caller cancelled half-way (a
/// request the browser abandoned) cannot leave a half-started `BEGIN` on a pooled
/// connection: the task finishes, and a transaction nobody receives is rolled back.
pub async fn begin(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    begin_with(pool, "begin".into()).await
}

/// [`begin`] with a statement of its own that starts the transaction (simple protocol,
/// so it may be several statements): one round trip for `BEGIN` and the settings.
async fn begin_with(
    pool: &PgPool,
    statement: std::borrow::Cow<'static, str>,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    begin_on(pool, None, statement).await
}

/// [`begin_with`] on `kept` when there is one, else on a connection from the pool.
async fn begin_on(
    pool: &PgPool,
    kept: Option<PoolConnection<Postgres>>,
    statement: std::borrow::Cow<'static, str>,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move {
        match kept {
            // What `Pool::begin_with` does after its checkout. sqlx 0.8 keeps this
            // constructor public but hidden from its documentation: check it on upgrades.
            Some(conn) => sqlx::Transaction::begin(conn, Some(statement)).await,
            None => pool.begin_with(statement).await,
        }
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("begin task failed: {e}")))?
}

/// The connection the session middleware read a page request's session on, kept for the
/// page's tenant transaction: the request then takes one connection from the pool
/// instead of two, and saves the stray-transaction probe and sqlx's ping of the
/// connection given back in between (two round trips, and a checkout). The first tenant
/// entry of the request takes it ([`KeptConnection::take`]); a request that never enters
/// gives it back when it ends.
///
/// A request holding one may still take a second connection from the pool (a page with
/// two loads, or code that reads the pool directly) while every other connection is kept
/// by requests doing the same: a deadlock until the acquire timeout. So at most
/// [`KeepLimit`] connections are kept at once, half the pool; the other half is only ever
/// held by work that finishes.
#[derive(Clone)]
pub struct KeptConnection(Arc<Mutex<Option<Kept>>>);

struct Kept {
    conn: PoolConnection<Postgres>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl KeptConnection {
    /// Keeps `conn` if fewer than the limit are kept; gives it back otherwise.
    pub fn keep(limit: &KeepLimit, conn: PoolConnection<Postgres>) -> Option<KeptConnection> {
        let permit = limit.0.clone().try_acquire_owned().ok()?;
        Some(KeptConnection(Arc::new(Mutex::new(Some(Kept {
            conn,
            _permit: permit,
        })))))
    }

    /// The kept connection, once; it no longer counts against the limit.
    pub fn take(&self) -> Option<PoolConnection<Postgres>> {
        let kept = self.0.lock().ok()?.take()?;
        Some(kept.conn)
    }
}

/// How many connections [`KeptConnection`] may keep at once, per pool.
#[derive(Debug)]
pub struct KeepLimit(Arc<tokio::sync::Semaphore>);

impl KeepLimit {
    /// Half of `pool`'s largest size (none for a pool of one).
    pub fn for_pool(pool: &PgPool) -> KeepLimit {
        let half = pool.options().get_max_connections() / 2;
        KeepLimit(Arc::new(tokio::sync::Semaphore::new(half as usize)))
    }
}

/// Applies every migration not yet applied. Safe to run from several processes at once:
/// sqlx serialises them with an advisory lock.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// One round trip that also reads the migration history: proves the database answers
/// and the schema is there.
pub async fn check(pool: &PgPool) -> Result<DatabaseStatus, sqlx::Error> {
    let started = Instant::now();
    let row = sqlx::query!(
        r#"select count(*) as "applied!", max(description) filter (where version = (select max(version) from _sqlx_migrations)) as latest
           from _sqlx_migrations where success"#
    )
    .fetch_one(pool)
    .await?;
    Ok(DatabaseStatus {
        round_trip_ms: started.elapsed().as_secs_f64() * 1000.0,
        migrations_applied: row.applied,
        latest_migration: row.latest,
    })
}

/// A transaction running as `revdesk_platform`: it sees every tenant (row-level security
/// still applies, through that role's policies). Only for platform code paths: the
/// operator console, sign-in's membership lookup, seeding.
pub async fn begin_platform(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    begin_with(pool, "begin; set local role revdesk_platform".into()).await
}

/// Whom a tenant transaction runs for. Staff run as `revdesk_app`; partner users run as
/// `revdesk_partner`, which has the same grants and tenant policies plus the partner
/// walls (only their own partner's rows). A partner user without a partner record gets
/// the walls and sees none of those rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantRole {
    /// A staff member of the organization.
    Staff,
    /// A partner user, with their partner record if they have one.
    Partner(Option<uuid::Uuid>),
}

impl TenantRole {
    /// The role to switch to and the partner to set.
    fn settings(self) -> (&'static str, Option<uuid::Uuid>) {
        match self {
            TenantRole::Staff => ("revdesk_app", None),
            TenantRole::Partner(partner_id) => ("revdesk_partner", partner_id),
        }
    }
}

/// Switches `tx` into the tenant: the role, the organization and the partner, all
/// transaction-local and in one round trip. The settings end with the transaction; a
/// pooled connection never carries them into the next request.
pub async fn enter_tenant(
    tx: &mut sqlx::PgConnection,
    organization_id: uuid::Uuid,
    role: TenantRole,
) -> Result<(), sqlx::Error> {
    let (role_name, partner_id) = role.settings();
    sqlx::query!(
        r#"select set_config('role', $1, true) as "role", set_config('app.organization_id', $2, true) as "organization", set_config('app.partner_id', $3, true) as "partner""#,
        role_name,
        organization_id.to_string(),
        partner_id.map(|p| p.to_string()).unwrap_or_default(),
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(())
}

/// A transaction inside the tenant (see [`enter_tenant`]), begun and entered in one
/// round trip.
pub async fn begin_tenant(
    pool: &PgPool,
    organization_id: uuid::Uuid,
    role: TenantRole,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    begin_tenant_on(pool, None, organization_id, role).await
}

/// [`begin_tenant`] on `kept`, the request's [`KeptConnection`], when there is one.
pub async fn begin_tenant_on(
    pool: &PgPool,
    kept: Option<PoolConnection<Postgres>>,
    organization_id: uuid::Uuid,
    role: TenantRole,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let (role_name, partner_id) = role.settings();
    // Only a fixed role name and two UUIDs' canonical text go into the statement.
    let partner_id = partner_id.map(|p| p.to_string()).unwrap_or_default();
    let statement = format!(
        "begin; select set_config('role', '{role_name}', true), \
         set_config('app.organization_id', '{organization_id}', true), \
         set_config('app.partner_id', '{partner_id}', true)"
    );
    begin_on(pool, kept, statement.into()).await
}

/// A struct for the rows of a statement built at run time, decoded by position with each
/// column's name and type checked once per result (`check`, on the first row) instead of
/// in every cell (`decode` on each row). sqlx's derived `FromRow` looks every column up by
/// name and checks its type in every row: decoding by position saves a list page of 50
/// rows 0.28 M instructions, 8 % of what the page costs the server. This is what sqlx's own
/// query macros do, whose statements are checked when the crate is built.
///
/// The fields are the statement's columns, in its order and under its names; a statement
/// that parts from them fails `check` with the column that differs, as `FromRow` would.
macro_rules! positional_row {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field:ident: $ty:ty),+ $(,)? }) => {
        $(#[$meta])*
        $vis struct $name {
            $($field: $ty),+
        }

        impl $name {
            /// Whether `row`'s columns are this struct's fields: same names, same order,
            /// types the fields decode. Enough on one row of a result: all share them.
            fn check(row: &sqlx::postgres::PgRow) -> Result<(), sqlx::Error> {
                use sqlx::{Column, Row, TypeInfo};
                let columns = row.columns();
                let fields: &[(&str, fn(&sqlx::postgres::PgTypeInfo) -> bool)] = &[
                    $((stringify!($field), |t| <$ty as sqlx::Type<sqlx::Postgres>>::compatible(t))),+
                ];
                if columns.len() != fields.len() {
                    return Err(sqlx::Error::ColumnIndexOutOfBounds {
                        index: fields.len(),
                        len: columns.len(),
                    });
                }
                for (i, (column, (field, compatible))) in columns.iter().zip(fields).enumerate() {
                    if column.name() != *field || !compatible(column.type_info()) {
                        return Err(sqlx::Error::ColumnDecode {
                            index: i.to_string(),
                            source: format!(
                                "column {} ({}) is not field {}: {}",
                                column.name(),
                                column.type_info().name(),
                                field,
                                stringify!($name),
                            )
                            .into(),
                        });
                    }
                }
                Ok(())
            }

            /// Decodes `row` by position, unchecked: call [`Self::check`] on a row of the
            /// same result first (see [`Self::decode_all`]).
            fn decode(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row;
                let mut index = 0usize;
                let mut next = || {
                    index += 1;
                    index - 1
                };
                Ok(Self {
                    $($field: row.try_get_unchecked::<$ty, _>(next())?),+
                })
            }

            /// Checks the result's columns once, then decodes every row. (A streamed
            /// result calls `check` on its first row and `decode` on each instead.)
            #[allow(dead_code)]
            fn decode_all(rows: &[sqlx::postgres::PgRow]) -> Result<Vec<Self>, sqlx::Error> {
                if let Some(first) = rows.first() {
                    Self::check(first)?;
                }
                rows.iter().map(Self::decode).collect()
            }
        }
    };
}
pub(crate) use positional_row;

#[cfg(test)]
mod tests {
    use sqlx::PgPool;

    positional_row! {
        struct Pair {
            id: i32,
            name: String,
        }
    }

    async fn decode(pool: &PgPool, sql: &str) -> Result<Vec<Pair>, sqlx::Error> {
        Pair::decode_all(&sqlx::query(sql).fetch_all(pool).await.unwrap())
    }

    #[sqlx::test(migrations = false)]
    async fn positional_rows_decode_in_order_and_refuse_a_statement_that_parts_from_them(
        pool: PgPool,
    ) {
        let pairs = decode(
            &pool,
            "select n as id, 'row ' || n as name from generate_series(1, 3) n",
        )
        .await
        .unwrap();
        let got: Vec<(i32, &str)> = pairs.iter().map(|p| (p.id, p.name.as_str())).collect();
        assert_eq!(got, [(1, "row 1"), (2, "row 2"), (3, "row 3")]);
        assert!(
            decode(&pool, "select 1 as id, 'a' as name where false")
                .await
                .unwrap()
                .is_empty()
        );
        // Swapped, renamed or retyped columns are refused, naming the first that differs.
        for (sql, column) in [
            ("select 'a' as name, 1 as id", "0"),
            ("select 1 as id, 'a' as label", "1"),
            ("select 1::bigint as id, 'a' as name", "0"),
            ("select 1 as id, 2 as name", "1"),
        ] {
            match decode(&pool, sql).await {
                Err(sqlx::Error::ColumnDecode { index, source }) => {
                    assert_eq!(index, column, "{sql}: {source}");
                    assert!(source.to_string().contains("Pair"), "{source}");
                }
                other => panic!("{sql}: {:?}", other.map(|v| v.len())),
            }
        }
        for sql in ["select 1 as id", "select 1 as id, 'a' as name, 2 as extra"] {
            assert!(
                matches!(
                    decode(&pool, sql).await,
                    Err(sqlx::Error::ColumnIndexOutOfBounds { index: 2, .. })
                ),
                "{sql}"
            );
        }
    }
}
