//! CSV import against real PostgreSQL through the real router: the streamed upload and
//! its refusals, the remembered mapping, the dry run, create and upsert runs in the
//! worker, the per-row error report, its audit trail, and a permission lost mid-run.

mod common;

use common::{Client, PASSWORD, World, app};
use http::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

async fn signed_in(pool: &PgPool, world: &World, who: &str) -> Client {
    let mut client = Client::new(&app(pool.clone()));
    client.sign_in(&world.email(who), PASSWORD).await;
    client
}

/// Uploads a CSV and returns the new import's id (from the redirect to its page).
async fn upload(client: &mut Client, world: &World, csv: &str) -> Uuid {
    let reply = client
        .upload(
            &world.fill("/o/{org}/leads/import"),
            "people.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.header("location");
    let prefix = world.fill("/o/{org}/leads/import/");
    location
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("redirected to {location}"))
        .parse()
        .unwrap()
}

/// The import as its page loads it.
async fn detail(client: &mut Client, world: &World, id: Uuid) -> Value {
    let reply = client
        .call(
            "load_lead_import",
            &world.fill(&format!("org={{org}}&id={id}")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn start(
    client: &mut Client,
    world: &World,
    id: Uuid,
    mapping: &[&str],
    mode: &str,
    run: &str,
) -> common::Reply {
    let fields: String = mapping
        .iter()
        .enumerate()
        .map(|(i, f)| format!("&mapping[{i}]={f}"))
        .collect();
    client
        .call(
            "start_lead_import",
            &world.fill(&format!(
                "org={{org}}&id={id}{fields}&mode={mode}&run={run}"
            )),
        )
        .await
}

async fn count(pool: &PgPool, sql: &str, org: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(org)
        .fetch_one(pool)
        .await
        .unwrap()
}

const GOOD_AND_BAD: &str = "First Name,Last Name,E-mail,Company,Estimated value\r\n\
Ada,Lovelace,ada@engines.example,Analytical Engines,12500\r\n\
Grace,Hopper,grace@cobol.example,Cobol Works,\r\n\
Bad,Email,not-an-email,Nowhere Inc,100\r\n\
Linus,Pauling,linus@vitamins.example,\"Vitamins, Ltd\",99.5\r\n\
Bad,Amount,amount@bad.example,Numbers Co,about ten grand\r\n";

#[sqlx::test]
async fn a_file_is_staged_mapped_dry_run_imported_and_its_errors_reported(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut manager = signed_in(&pool, &world, "manager").await;
    let leads_before = count(
        &pool,
        "select count(*) from leads where organization_id = $1",
        world.org_a,
    )
    .await;
    let id = upload(&mut manager, &world, GOOD_AND_BAD).await;

    // The mapping step guesses every column from its header and shows samples.
    let d = detail(&mut manager, &world, id).await;
    assert_eq!(d["summary"]["total"], 5);
    assert_eq!(d["summary"]["status"], "uploaded");
    assert_eq!(
        d["mapping"],
        serde_json::json!([
            "first_name",
            "last_name",
            "email",
            "company",
            "estimated_value"
        ])
    );
    assert_eq!(d["samples"][0][0], "Ada");
    let mapping = [
        "first_name",
        "last_name",
        "email",
        "company",
        "estimated_value",
    ];

    // A dry run reports and writes no lead.
    let reply = start(&mut manager, &world, id, &mapping, "create", "dry").await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{}",
        reply.body
    );
    let again = start(&mut manager, &world, id, &mapping, "create", "dry").await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a queued import cannot start twice"
    );
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let d = detail(&mut manager, &world, id).await;
    let s = &d["summary"];
    assert_eq!(
        (s["status"].as_str(), s["dry_run"].as_bool()),
        (Some("done"), Some(true))
    );
    assert_eq!(
        (s["created"].as_i64(), s["errors"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(s["processed"], 5);
    let after_dry = count(
        &pool,
        "select count(*) from leads where organization_id = $1",
        world.org_a,
    )
    .await;
    assert_eq!(after_dry, leads_before, "a dry run writes no lead");

    // The real run creates the three good rows, with their journey and score.
    let reply = start(&mut manager, &world, id, &mapping, "create", "apply").await;
    assert!(reply.status.is_success() || reply.status.is_redirection());
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let d = detail(&mut manager, &world, id).await;
    assert_eq!(
        (
            d["summary"]["created"].as_i64(),
            d["summary"]["errors"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(d["errors"][0][0], 4);
    assert!(
        d["errors"][0][1].as_str().unwrap().starts_with("Email: "),
        "{}",
        d["errors"]
    );
    assert!(
        d["errors"][1][1]
            .as_str()
            .unwrap()
            .starts_with("Estimated value: ")
    );
    let imported: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "select email::text, estimated_value_minor, source::text from leads
         where organization_id = $1 and source = 'import' order by email",
    )
    .bind(world.org_a)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        imported,
        vec![
            (
                "ada@engines.example".into(),
                Some(1_250_000),
                "import".into()
            ),
            ("grace@cobol.example".into(), None, "import".into()),
            (
                "linus@vitamins.example".into(),
                Some(9_950),
                "import".into()
            ),
        ]
    );
    let journeys = count(
        &pool,
        "select count(*) from journey_events j join leads l on l.organization_id = j.organization_id and l.id = j.lead_id
         where j.organization_id = $1 and j.kind = 'imported' and l.source = 'import'",
        world.org_a,
    )
    .await;
    let scored = count(
        &pool,
        "select count(distinct s.lead_id) from lead_scores s join leads l on l.organization_id = s.organization_id and l.id = s.lead_id
         where s.organization_id = $1 and l.source = 'import'",
        world.org_a,
    )
    .await;
    assert_eq!((journeys, scored), (3, 3));
    let finished = start(&mut manager, &world, id, &mapping, "create", "apply").await;
    assert_eq!(finished.status, StatusCode::CONFLICT, "a file imports once");

    // The error report: the header, then each refused row with its line and reason.
    let report = manager
        .get(&world.fill(&format!("/o/{{org}}/leads/import/{id}/errors.csv")))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = report.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{}", report.body);
    assert_eq!(
        lines[0],
        "line,error,First Name,Last Name,E-mail,Company,Estimated value"
    );
    assert!(
        lines[1].starts_with("4,Email: ")
            && lines[1].ends_with(",Bad,Email,not-an-email,Nowhere Inc,100")
    );
    assert!(lines[2].starts_with("6,Estimated value: "));

    // Every step is in the audit log.
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_logs where organization_id = $1 and entity_type = 'lead_import' order by created_at, id",
    )
    .bind(world.org_a)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "lead_import.uploaded",
            "lead_import.started",
            "lead_import.finished",
            "lead_import.started",
            "lead_import.finished",
            "lead_import.report_downloaded"
        ]
    );
    println!(
        "import: 5 rows -> dry run created 3 / errors 2 (leads written 0), run created 3 / errors 2, report lines {}",
        lines.len() - 1
    );
}

#[sqlx::test]
async fn upsert_updates_by_email_create_skips_and_repeats_in_a_file_are_refused(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut marketing = signed_in(&pool, &world, "marketing").await;
    let lena = format!("LENA-{}@LeadCorp.example", world.tag);
    let csv = format!(
        "email,job title,company\n{lena},Head of Growth,\nnew-{tag}@example.com,CTO,New Co\nnew-{tag}@example.com,CEO,New Co\n",
        tag = world.tag
    );
    let id = upload(&mut marketing, &world, &csv).await;
    let mapping = ["email", "job_title", "company"];

    start(&mut marketing, &world, id, &mapping, "create", "dry").await;
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let s = detail(&mut marketing, &world, id).await["summary"].clone();
    assert_eq!(
        (
            s["created"].as_i64(),
            s["skipped"].as_i64(),
            s["errors"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "create mode: the known email is skipped, the repeat refused"
    );

    let missing_email = start(
        &mut marketing,
        &world,
        id,
        &["", "job_title", "company"],
        "upsert",
        "apply",
    )
    .await;
    assert_eq!(missing_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing_email.body.contains("map the email column"),
        "{}",
        missing_email.body
    );

    start(&mut marketing, &world, id, &mapping, "upsert", "apply").await;
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let d = detail(&mut marketing, &world, id).await;
    let s = &d["summary"];
    assert_eq!(
        (
            s["created"].as_i64(),
            s["updated"].as_i64(),
            s["errors"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(d["errors"][0][0], 4);
    assert_eq!(
        d["errors"][0][1],
        "The same email address is on line 3 of this file."
    );
    let (job_title, company, version): (Option<String>, Option<String>, i32) = sqlx::query_as(
        "select job_title, company, version from leads where organization_id = $1 and id = $2",
    )
    .bind(world.org_a)
    .bind(world.lead)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(job_title.as_deref(), Some("Head of Growth"));
    assert_eq!(
        company.as_deref(),
        Some("Lead Corp"),
        "a blank cell leaves the field alone"
    );
    assert_eq!(
        version, 2,
        "an update is an edit: optimistic locking sees it"
    );
}

#[sqlx::test]
async fn the_mapping_is_remembered_for_the_next_file(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut owner = signed_in(&pool, &world, "owner").await;
    let id = upload(
        &mut owner,
        &world,
        "Firma,Kontakt,Notiz\nAcme,ann@acme.example,x\n",
    )
    .await;
    let d = detail(&mut owner, &world, id).await;
    assert_eq!(
        d["mapping"],
        serde_json::json!(["", "", ""]),
        "unknown headers are not guessed"
    );
    start(
        &mut owner,
        &world,
        id,
        &["company", "email", ""],
        "create",
        "dry",
    )
    .await;
    let next = upload(
        &mut owner,
        &world,
        "kontakt,firma,notiz\nbo@bolt.example,Bolt,y\n",
    )
    .await;
    let d = detail(&mut owner, &world, next).await;
    assert_eq!(d["mapping"], serde_json::json!(["email", "company", ""]));
}

#[sqlx::test]
async fn bad_files_are_refused_with_a_reason_and_leave_nothing_behind(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut owner = signed_in(&pool, &world, "owner").await;
    let path = world.fill("/o/{org}/leads/import");
    let wide: String = (0..61).map(|i| format!("c{i},")).collect::<String>() + "last\n";
    let huge = {
        let mut v = b"email\n".to_vec();
        v.resize(65 * 1024 * 1024, b'a');
        v
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        ("header only", b"email,company\n".to_vec(), "empty"),
        (
            "blank header",
            b"email,,company\nx,y,z\n".to_vec(),
            "bad_header",
        ),
        (
            "repeated header",
            b"Email,email\nx,y\n".to_vec(),
            "bad_header",
        ),
        ("Latin-1", b"name\nJos\xe9\n".to_vec(), "not_csv"),
        ("61 columns", wide.into_bytes(), "too_many_columns"),
        ("65 MB", huge, "too_large"),
    ];
    for (what, body, code) in &cases {
        let reply = owner.upload(&path, "bad.csv", body).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{what}");
        assert_eq!(
            reply.header("location"),
            format!("{path}?error={code}"),
            "{what}"
        );
        assert!(revdesk::leads::import::model::upload_error_message(code).is_some());
    }
    // Nothing was staged by any of them (the world's own import is the only one).
    let imports = count(
        &pool,
        "select count(*) from lead_imports where organization_id = $1",
        world.org_a,
    )
    .await;
    assert_eq!(imports, 1);

    // A ragged row or an overlong cell is refused on its own; the rest of the file goes in.
    let long = "x".repeat(2_001);
    let csv =
        format!("email,company\nok@fine.example,Fine\nragged@x.example\nlong@x.example,{long}\n");
    let id = upload(&mut owner, &world, &csv).await;
    start(
        &mut owner,
        &world,
        id,
        &["email", "company"],
        "create",
        "apply",
    )
    .await;
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let d = detail(&mut owner, &world, id).await;
    assert_eq!(
        (
            d["summary"]["created"].as_i64(),
            d["summary"]["errors"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(d["errors"][0][1], "This row has 1 cells; the header has 2.");
    assert_eq!(
        d["errors"][1][1],
        "Column 2 is longer than 2000 characters."
    );
    println!(
        "import refusals: {} bad files refused, 0 staged",
        cases.len()
    );
}

#[sqlx::test]
async fn a_large_file_streams_in_completely(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut owner = signed_in(&pool, &world, "owner").await;
    let rows = revdesk::leads::import::model::MAX_ROWS / 2;
    let mut csv = String::from("first_name,last_name,email,company\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "Person,{i},person{i}@bulk.example,Bulk {}\n",
            i % 97
        ));
    }
    let started = std::time::Instant::now();
    let id = upload(&mut owner, &world, &csv).await;
    let elapsed = started.elapsed();
    let d = detail(&mut owner, &world, id).await;
    assert_eq!(d["summary"]["total"].as_u64(), Some(rows as u64));
    let staged = count(
        &pool,
        "select count(*) from lead_import_rows where organization_id = $1",
        world.org_a,
    )
    .await;
    assert_eq!(
        staged,
        rows as i64 + 1,
        "every row staged (plus the world's one)"
    );
    println!(
        "import upload: {rows} rows, {} KiB, staged in {:.1} s (debug build)",
        csv.len() / 1024,
        elapsed.as_secs_f64()
    );
}

#[sqlx::test]
async fn an_import_stops_when_its_owner_loses_the_permission(pool: PgPool) {
    let world = World::create(&pool).await;
    let mut marketing = signed_in(&pool, &world, "marketing").await;
    let id = upload(
        &mut marketing,
        &world,
        "email\nx1@example.com\nx2@example.com\n",
    )
    .await;
    start(&mut marketing, &world, id, &["email"], "create", "apply").await;
    sqlx::query("update organization_members set role = 'viewer' where organization_id = $1 and user_id = $2")
        .bind(world.org_a)
        .bind(world.users["marketing"].0)
        .execute(&pool)
        .await
        .unwrap();
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let (status, failure, created): (String, Option<String>, i64) = sqlx::query_as(
        "select status::text, failure, (select count(*) from leads l where l.organization_id = i.organization_id and l.email::text like 'x_@example.com')
         from lead_imports i where organization_id = $1 and id = $2",
    )
    .bind(world.org_a)
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "failed");
    assert!(failure.unwrap().contains("can no longer import"));
    assert_eq!(created, 0);
}

#[sqlx::test]
async fn upsert_leaves_leads_outside_the_importers_scope_alone(pool: PgPool) {
    let world = World::create(&pool).await;
    // The sales rep (team scope) gets leads.import through the world's custom role.
    let mut tx = common::platform_tx(&pool).await;
    sqlx::query("insert into role_permissions (organization_id, role_id, permission) values ($1, $2, 'leads.import')")
        .bind(world.org_a)
        .bind(world.role)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "insert into user_roles (organization_id, id, user_id, role_id) values ($1, $2, $3, $4)",
    )
    .bind(world.org_a)
    .bind(Uuid::now_v7())
    .bind(world.users["sales_rep"].0)
    .bind(world.role)
    .execute(&mut *tx)
    .await
    .unwrap();
    let theirs = format!("managers-{}@example.com", world.tag);
    sqlx::query(
        "insert into leads (organization_id, id, first_name, email, job_title, assignee_id) values ($1, $2, 'Mo', $3, 'Old', $4)",
    )
    .bind(world.org_a)
    .bind(Uuid::now_v7())
    .bind(&theirs)
    .bind(world.users["manager"].0)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut rep = signed_in(&pool, &world, "sales_rep").await;
    let lena = format!("lena-{}@leadcorp.example", world.tag);
    let id = upload(
        &mut rep,
        &world,
        &format!("email,job title\n{lena},Rep's own\n{theirs},Overwritten\n"),
    )
    .await;
    start(
        &mut rep,
        &world,
        id,
        &["email", "job_title"],
        "upsert",
        "apply",
    )
    .await;
    revdesk::leads::import::worker::drain(&pool).await.unwrap();
    let s = detail(&mut rep, &world, id).await["summary"].clone();
    assert_eq!(
        (s["updated"].as_i64(), s["skipped"].as_i64()),
        (Some(1), Some(1))
    );
    let title: Option<String> = sqlx::query_scalar(
        "select job_title from leads where organization_id = $1 and email = $2::text::citext",
    )
    .bind(world.org_a)
    .bind(&theirs)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        title.as_deref(),
        Some("Old"),
        "a lead outside the importer's scope is not overwritten"
    );
}

#[sqlx::test]
async fn a_started_import_wakes_an_idle_worker_at_once(pool: PgPool) {
    use std::time::Duration;
    let world = World::create(&pool).await;
    let mut marketing = signed_in(&pool, &world, "marketing").await;
    let id = upload(
        &mut marketing,
        &world,
        "email\nwake1@example.com\nwake2@example.com\n",
    )
    .await;
    // A worker that would look again untold only after an hour: only the notification of
    // the start can wake it.
    let worker = tokio::spawn(revdesk::leads::import::worker::run_with(
        pool.clone(),
        Duration::from_secs(3600),
    ));
    // Once it listens, its first look (which found nothing) follows at once.
    let listening = "select count(*) from pg_stat_activity
                     where datname = current_database() and query like 'LISTEN %revdesk_import_queued%'";
    for _ in 0..500 {
        if sqlx::query_scalar::<_, i64>(listening)
            .fetch_one(&pool)
            .await
            .unwrap()
            > 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        detail(&mut marketing, &world, id).await["summary"]["status"],
        "uploaded",
        "nothing is queued before the start"
    );

    start(&mut marketing, &world, id, &["email"], "create", "apply").await;
    // Done well within the hour; the bound is generous for a slow machine, not a target.
    let mut status = String::new();
    for _ in 0..300 {
        status = sqlx::query_scalar(
            "select status::text from lead_imports where organization_id = $1 and id = $2",
        )
        .bind(world.org_a)
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        if status == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.abort();
    assert_eq!(status, "done", "the worker was not woken by the start");
    assert_eq!(
        count(
            &pool,
            "select count(*) from leads where organization_id = $1 and email::text like 'wake_@example.com'",
            world.org_a
        )
        .await,
        2
    );
}
