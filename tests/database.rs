//! Migrations and demo data against a real, fresh database per test.

use revdesk::server::seed::{self, Outcome};
use sqlx::PgPool;

#[sqlx::test]
async fn emails_are_unique_whatever_their_case(pool: PgPool) {
    sqlx::query(
        "insert into users (id, email, name) values (gen_random_uuid(), 'Ada@Example.com', 'Ada')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let err = sqlx::query(
        "insert into users (id, email, name) values (gen_random_uuid(), 'ada@example.COM', 'Ada')",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.constraint()),
        Some("users_email_key")
    );
}

#[sqlx::test]
async fn a_membership_cannot_point_at_another_organizations_team(pool: PgPool) {
    seed::demo(&pool, false).await.unwrap();
    // Lumen's team, Northwind's membership: the composite foreign key refuses it.
    let err = sqlx::query(
        "update organization_members m set team_id = t.id
           from teams t, organizations o, organizations lo
          where o.slug = 'northwind' and m.organization_id = o.id
            and lo.slug = 'lumen' and t.organization_id = lo.id",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.constraint()),
        Some("organization_members_team_fkey")
    );
}

#[sqlx::test]
async fn seeding_is_idempotent_and_if_empty_skips(pool: PgPool) {
    assert_eq!(seed::demo(&pool, true).await.unwrap(), Outcome::Seeded);
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let orgs = count("select count(*) from organizations").await;
    let users = count("select count(*) from users").await;
    let members = count("select count(*) from organization_members").await;
    assert_eq!(orgs, 3);
    assert_eq!(
        users as usize,
        seed::demo_logins().len() + 2,
        "platform admin, 9 Northwind, 2 other owners"
    );
    assert_eq!(seed::demo(&pool, true).await.unwrap(), Outcome::Skipped);
    assert_eq!(seed::demo(&pool, false).await.unwrap(), Outcome::Seeded);
    assert_eq!(count("select count(*) from organizations").await, orgs);
    assert_eq!(count("select count(*) from users").await, users);
    assert_eq!(
        count("select count(*) from organization_members").await,
        members
    );
}

#[sqlx::test]
async fn every_system_role_has_a_demo_user(pool: PgPool) {
    seed::demo(&pool, false).await.unwrap();
    let missing: Vec<String> = sqlx::query_scalar(
        "select r::text from unnest(enum_range(null::member_role)) r
          where r <> 'api_user'
            and not exists (select 1 from organization_members m where m.role = r)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(missing.is_empty(), "roles without a demo user: {missing:?}");
}

#[sqlx::test]
async fn create_admin_creates_then_promotes(pool: PgPool) {
    let password =
        revdesk::server::password::Password::parse("a long enough secret".into()).unwrap();
    assert!(
        seed::create_admin(&pool, "ops@example.com", "Ops", &password)
            .await
            .unwrap()
    );
    assert!(
        !seed::create_admin(&pool, "OPS@example.com", "Ops", &password)
            .await
            .unwrap()
    );
    let admins: i64 = sqlx::query_scalar("select count(*) from users where is_platform_admin")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

#[sqlx::test]
async fn scale_data_is_skewed_complete_and_built_once(pool: PgPool) {
    let options = seed::ScaleOptions {
        organizations: 6,
        leads: 3_000,
        journey_events: 15_000,
        progress: false,
        // Small batches, so leads and their events are flushed many times mid-tenant.
        batch_rows: 250,
    };
    let report = seed::scale(&pool, options).await.unwrap();
    assert!(report.built);
    assert_eq!(report.organizations, 6);
    assert_eq!(report.leads, 3_000);
    assert_eq!(
        report.largest_tenant_leads, 300,
        "the largest tenant holds a tenth"
    );
    assert!(
        (14_990..=15_000).contains(&report.journey_events),
        "{}",
        report.journey_events
    );
    let again = seed::scale(&pool, options).await.unwrap();
    assert!(!again.built);
    assert_eq!(again.leads, 3_000, "a second run adds nothing");
}

#[sqlx::test]
async fn a_connection_returned_inside_a_transaction_is_rolled_back(pool: PgPool) {
    use revdesk::server::db::end_stray_transaction;
    let mut conn = pool.acquire().await.unwrap();
    // A transaction sqlx does not know about, as a cancelled request can leave one.
    sqlx::query("begin").execute(&mut *conn).await.unwrap();
    sqlx::query("create temporary table stray (x int)")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert!(end_stray_transaction(&mut conn).await.unwrap());
    // SAVEPOINT works only inside a transaction block.
    let savepoint = sqlx::query("savepoint probe").execute(&mut *conn).await;
    assert!(savepoint.is_err(), "the transaction was ended");
    let kept: Option<String> = sqlx::query_scalar("select to_regclass('pg_temp.stray')::text")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(kept, None, "and rolled back, not committed");
    // An idle connection passes untouched, and stays usable.
    assert!(end_stray_transaction(&mut conn).await.unwrap());
    let one: i32 = sqlx::query_scalar("select 1")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(one, 1);

    // A BEGIN queued but never completed (a cancelled `begin`) is caught as well.
    sqlx::query("begin").execute(&mut *conn).await.unwrap();
    assert!(end_stray_transaction(&mut conn).await.unwrap());
    assert!(
        sqlx::query("savepoint again")
            .execute(&mut *conn)
            .await
            .is_err()
    );

    // A `BEGIN; set_config(…)` that failed half-way leaves an aborted transaction sqlx
    // does not know about: the probe fails, so the pool closes the connection instead of
    // handing it on.
    let failed = sqlx::raw_sql("begin; select set_config('role', 'no_such_role', true)")
        .execute(&mut *conn)
        .await;
    assert!(failed.is_err());
    let probe = end_stray_transaction(&mut conn).await;
    println!("probe on an aborted transaction: {probe:?}");
    assert!(probe.is_err());
}

#[sqlx::test]
async fn the_session_store_keeps_records_as_json_until_they_expire(pool: PgPool) {
    use revdesk::server::session_store::PgSessionStore;
    use time::{Duration, OffsetDateTime};
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};
    let store = PgSessionStore::new(pool.clone());
    let taken = Id::default();
    sqlx::query(
        "insert into tower_sessions.session (id, data, expiry_date) values ($1, '{}', now() + interval '1 hour')",
    )
    .bind(taken.to_string())
    .execute(&pool)
    .await
    .unwrap();
    let mut record = Record {
        id: taken,
        data: [("auth".to_owned(), serde_json::json!({ "handle": "h-1" }))].into(),
        expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    assert_ne!(
        record.id, taken,
        "a colliding id is replaced, not overwritten"
    );
    let other: String =
        sqlx::query_scalar("select data::text from tower_sessions.session where id = $1")
            .bind(taken.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(other, "{}", "the other session is untouched");

    let loaded = store.load(&record.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data, record.data);
    // The data is plain jsonb: the request middleware joins on what it holds.
    let handle: String = sqlx::query_scalar(
        "select data -> 'auth' ->> 'handle' from tower_sessions.session where id = $1",
    )
    .bind(record.id.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(handle, "h-1");

    record
        .data
        .insert("theme".to_owned(), serde_json::json!("dark"));
    store.save(&record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data.get("theme"), Some(&serde_json::json!("dark")));

    record.expiry_date = OffsetDateTime::now_utc() - Duration::seconds(1);
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none(), "expired");

    store.delete(&record.id).await.unwrap();
    let left: i64 = sqlx::query_scalar("select count(*) from tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 1, "only the other session is left");
}

#[sqlx::test]
async fn only_the_login_role_reads_memberships_across_tenants(pool: PgPool) {
    seed::demo(&pool, false).await.unwrap();
    let (slug, user_id): (String, uuid::Uuid) = sqlx::query_as(
        "select o.slug, m.user_id from organization_members m
           join organizations o on o.id = m.organization_id
          where m.status = 'active' order by o.slug, m.user_id limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let found: i64 = sqlx::query_scalar("select count(*) from member_access($1, $2, true)")
        .bind(&slug)
        .bind(user_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(found, 1, "the server's own role reads the membership");
    let elsewhere: i64 =
        sqlx::query_scalar("select count(*) from member_access('no-such-org', $1, true)")
            .bind(user_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(elsewhere, 0);
    // Tenant code cannot call it: a query inside a tenant cannot list anyone's
    // organizations.
    for role in ["revdesk_app", "revdesk_partner"] {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(&format!("set local role {role}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let err = sqlx::query("select * from member_access($1, $2, true)")
            .bind(&slug)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(
            err.as_database_error().and_then(|e| e.code()).as_deref(),
            Some("42501"),
            "{role} is refused"
        );
    }
}
