//! Authorization as an attacker probes it: the role matrix over every server function and
//! every page, another tenant's ids, and forged cross-site requests. Figures are printed
//! (`cargo test -- --show-output`).

mod common;

use common::{Client, ROLES, Reply, World, app};
use http::StatusCode;
use leptos::server_fn::axum::server_fn_paths;
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};

const MATRIX: &str = include_str!("../docs/authorization-matrix.md");

/// The columns of the matrix, after `endpoint` and `body`.
fn columns() -> Vec<&'static str> {
    let mut c = vec!["anon"];
    c.extend(ROLES);
    c.push("platform");
    c
}

struct Row {
    method: String,
    path: String,
    body: Option<String>,
    expect: BTreeMap<&'static str, bool>,
}

fn matrix() -> Vec<Row> {
    let columns = columns();
    MATRIX
        .lines()
        .filter(|l| l.starts_with("| POST ") || l.starts_with("| GET "))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(
                cells.len(),
                2 + columns.len(),
                "malformed matrix row: {line}"
            );
            let (method, path) = cells[0].split_once(' ').expect("METHOD path");
            let expect = columns
                .iter()
                .zip(&cells[2..])
                .map(|(col, cell)| match *cell {
                    "allow" => (*col, true),
                    "deny" => (*col, false),
                    other => panic!("cell `{other}` in {line}: use allow or deny"),
                })
                .collect();
            Row {
                method: method.to_owned(),
                path: path.to_owned(),
                body: (!cells[1].is_empty()).then(|| cells[1].to_owned()),
                expect,
            }
        })
        .collect()
}

fn fill_path(world: &World, path: &str) -> String {
    world.fill(
        &path
            .replace("import/{id}", "import/{import}")
            .replace("{user_id}", "{victim}")
            .replace("{id}", "{lead}")
            .replace("{token}", "{invitation_token}"),
    )
}

/// Whether a reply means "authorization refused". Panics on a server error: no cell
/// may answer 5xx.
fn denied(reply: &Reply, what: &str) -> bool {
    assert!(
        !reply.status.is_server_error(),
        "{what}: server error {} {}",
        reply.status,
        reply.body
    );
    matches!(
        reply.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || reply.header("location").starts_with("/sign-in?next=")
}

async fn client_for(app: &axum::Router, world: &World, role: &str) -> Client {
    let mut client = Client::new(app);
    if role != "anon" {
        client.sign_in(&world.email(role), common::PASSWORD).await;
    }
    client
}

async fn send_row(client: &mut Client, world: &World, row: &Row) -> Reply {
    let path = fill_path(world, &row.path);
    let body = row.body.as_deref().map(|b| world.fill(b));
    send_to(client, &row.method, &path, body.as_deref()).await
}

/// Sends a matrix request: a `csv:` body as a file upload, any other as a form.
async fn send_to(client: &mut Client, method: &str, path: &str, body: Option<&str>) -> Reply {
    // A request that never answers fails the test with its address instead of hanging
    // it (seen in the cross-tenant sweep while another test generated the route list; see
    // `revdesk::server::http::route_list`).
    let answer = async {
        match (method, body) {
            ("GET", _) => client.get(path).await,
            (_, Some(b)) if b.starts_with("csv:") => {
                let csv = b["csv:".len()..].replace("\\n", "\n");
                client.upload(path, "leads.csv", csv.as_bytes()).await
            }
            (_, b) => client.request("POST", path, Some(b.unwrap_or(""))).await,
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), answer)
        .await
        .unwrap_or_else(|_| panic!("{method} {path} {body:?} did not answer within 60 s"))
}

#[sqlx::test]
async fn every_server_function_and_route_is_in_the_matrix(pool: PgPool) {
    let rows = matrix();
    let listed: BTreeSet<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let registered: BTreeSet<String> = server_fn_paths()
        .map(|(path, method)| format!("{method} {path}"))
        .chain(
            revdesk::server::http::HANDLER_POSTS
                .iter()
                .map(|p| format!("POST {p}")),
        )
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions and form posts missing from docs/authorization-matrix.md: {missing:?}"
    );

    // The process-wide list: generating another one here, beside the other tests' requests,
    // could stall them (see `route_list`).
    let routes: BTreeSet<String> = revdesk::server::http::route_list()
        .iter()
        .map(|r| r.path().to_owned())
        .chain(
            revdesk::server::http::HANDLER_ROUTES
                .iter()
                .map(|r| r.to_string()),
        )
        .map(|path| format!("GET {path}"))
        .collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from docs/authorization-matrix.md: {missing:?}"
    );
    let stale: Vec<_> = listed
        .iter()
        .filter(|l| !registered.contains(*l) && !routes.contains(*l))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for endpoints that do not exist: {stale:?}"
    );
    println!(
        "authorization matrix: {} server functions and {} routes registered, all listed",
        registered.len(),
        routes.len()
    );
    drop(pool);
}

#[sqlx::test]
async fn the_matrix_holds_for_every_role(pool: PgPool) {
    let app = app(pool.clone());
    let rows = matrix();
    let (mut cells, mut unexpected_allow, mut unexpected_deny) = (0, Vec::new(), Vec::new());
    for role in columns() {
        for row in &rows {
            // A fresh world per cell: an allowed call may change what the next one needs.
            let world = World::create(&pool).await;
            let mut client = client_for(&app, &world, role).await;
            let what = format!("{role}: {} {}", row.method, row.path);
            let reply = send_row(&mut client, &world, row).await;
            let was_denied = denied(&reply, &what);
            cells += 1;
            match (row.expect[role], was_denied) {
                (true, true) => unexpected_deny.push(format!(
                    "{what} -> {} {}",
                    reply.status,
                    reply.header("location")
                )),
                (false, false) => unexpected_allow.push(format!(
                    "{what} -> {} {}",
                    reply.status,
                    reply.header("location")
                )),
                _ => {}
            }
        }
    }
    println!(
        "authorization matrix: cells tested {cells}, unexpected allow {}, unexpected deny {}",
        unexpected_allow.len(),
        unexpected_deny.len()
    );
    assert!(
        unexpected_allow.is_empty(),
        "unexpected allow: {unexpected_allow:#?}"
    );
    assert!(
        unexpected_deny.is_empty(),
        "unexpected deny: {unexpected_deny:#?}"
    );
}

/// Every row of every tenant table of organization A, as text: compared before and after
/// the sweep to count rows changed.
async fn snapshot(pool: &PgPool, org: uuid::Uuid) -> BTreeMap<String, String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c
             join pg_namespace n on n.oid = c.relnamespace
             join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped
         where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'audit_logs'
         order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut tx = common::platform_tx(pool).await;
    let mut rows = BTreeMap::new();
    for table in tables {
        let texts: Vec<String> = sqlx::query_scalar(&format!(
            "select t::text from {table} t where organization_id = $1 order by t::text"
        ))
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        for (i, text) in texts.into_iter().enumerate() {
            rows.insert(format!("{table}#{i}"), text);
        }
    }
    let org_row: String = sqlx::query_scalar("select o::text from organizations o where id = $1")
        .bind(org)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    rows.insert("organizations".into(), org_row);
    rows
}

#[sqlx::test]
async fn another_tenants_ids_reach_nothing(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let before = snapshot(&pool, world.org_a).await;
    // The owner of B: every permission in B, none in A.
    let mut attacker = client_for(&app, &world, "owner_b").await;
    let secrets: Vec<String> = vec![
        world.org_a.to_string(),
        world.victim.to_string(),
        world.invitation.to_string(),
        world.role.to_string(),
        world.grant.to_string(),
        world.lead.to_string(),
        world.import.to_string(),
        world.email("owner"),
        world.email("victim"),
    ];
    let (mut attempts, mut leaked, mut accepted) = (0, 0, Vec::new());
    for row in matrix().into_iter().filter(|r| {
        r.path.contains("{org") || r.body.as_deref().is_some_and(|b| b.contains("{org"))
    }) {
        // A's slug in the address or body, then B's slug with A's ids.
        for variant in [world.slug_a.clone(), world.slug_b.clone()] {
            let path = fill_path(&world, &row.path).replace(&world.slug_a, &variant);
            let body = row
                .body
                .as_deref()
                .map(|b| world.fill(b).replace(&world.slug_a, &variant));
            let reply = send_to(&mut attacker, &row.method, &path, body.as_deref()).await;
            attempts += 1;
            if secrets.iter().any(|s| reply.body.contains(s.as_str())) {
                leaked += 1;
            }
            let targets_a = variant == world.slug_a
                || row.body.as_deref().is_some_and(|b| {
                    b.contains("={victim}")
                        || b.contains("={invitation}")
                        || b.contains("={role}")
                        || b.contains("={grant}")
                        || b.contains("={import}")
                        || b.contains("{org_id}")
                });
            if targets_a
                && !denied(&reply, &path)
                && reply.status != StatusCode::UNPROCESSABLE_ENTITY
            {
                accepted.push(format!(
                    "{} {path} {body:?} -> {}",
                    row.method, reply.status
                ));
            }
        }
    }
    let after = snapshot(&pool, world.org_a).await;
    let changed = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .count()
        + after.keys().filter(|k| !before.contains_key(*k)).count();
    println!(
        "cross-tenant sweep: attempts {attempts}, rows leaked {leaked}, rows changed {changed}, accepted {}",
        accepted.len()
    );
    assert_eq!(leaked, 0);
    assert_eq!(changed, 0);
    assert!(accepted.is_empty(), "{accepted:#?}");
}

#[sqlx::test]
async fn forged_cross_site_requests_are_refused_everywhere(pool: PgPool) {
    use axum::body::Body;
    use http::Request;
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut owner = client_for(&app, &world, "owner").await;
    let cookie = owner.cookie.clone().unwrap();
    type Forge = fn(http::request::Builder) -> http::request::Builder;
    let forgeries: [(&str, Forge, &str); 5] = [
        (
            "foreign Origin",
            |b| b.header("origin", "https://evil.example"),
            "application/x-www-form-urlencoded",
        ),
        (
            "Origin: null",
            |b| b.header("origin", "null"),
            "application/x-www-form-urlencoded",
        ),
        (
            "Sec-Fetch-Site: cross-site",
            |b| b.header("sec-fetch-site", "cross-site"),
            "application/x-www-form-urlencoded",
        ),
        ("no headers", |b| b, "application/x-www-form-urlencoded"),
        (
            "text/plain body",
            |b| b.header("sec-fetch-site", "same-origin"),
            "text/plain",
        ),
    ];
    let (mut attempts, mut accepted) = (0, Vec::new());
    let uploads: Vec<String> = revdesk::server::http::HANDLER_POSTS
        .iter()
        .map(|p| world.fill(p))
        .collect();
    let paths: Vec<String> = server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .chain(uploads.iter().cloned())
        .collect();
    for path in &paths {
        for (name, forge, content_type) in &forgeries {
            // A cross-site form can post multipart as well as urlencoded bodies.
            let upload = uploads.iter().any(|u| u == path);
            let content_type = match *content_type {
                "application/x-www-form-urlencoded" if upload => "multipart/form-data; boundary=x",
                other => other,
            };
            let builder = Request::post(path.as_str())
                .header("host", "localhost")
                .header("cookie", &cookie)
                .header("content-type", content_type);
            let request = forge(builder)
                .body(Body::from(world.fill("org={org}")))
                .unwrap();
            let reply = common::send(&app, request).await;
            attempts += 1;
            if !matches!(
                reply.status,
                StatusCode::FORBIDDEN | StatusCode::UNSUPPORTED_MEDIA_TYPE
            ) {
                accepted.push(format!("{name} {path} -> {}", reply.status));
            }
        }
    }
    // The control: the same session, same origin, is served.
    let control = owner
        .call("load_org_context", &world.fill("org={org}"))
        .await;
    println!(
        "forged requests to {} server functions and uploads: attempts {attempts}, accepted {}; same-origin control: {}",
        paths.len(),
        accepted.len(),
        control.status
    );
    assert!(accepted.is_empty(), "{accepted:#?}");
    assert_eq!(control.status, StatusCode::OK, "{}", control.body);
}
