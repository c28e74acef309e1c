//! The server basics, driven in process against a real database: health, readiness,
//! metrics, security headers, rendering, 404 and the theme form.

mod common;

use axum::body::Body;
use common::{app, get, send};
use http::{Request, StatusCode};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[sqlx::test]
async fn healthz_answers_without_touching_the_database(pool: PgPool) {
    let app = app(pool.clone());
    pool.close().await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "ok");
}

#[sqlx::test]
async fn readyz_reports_the_database(pool: PgPool) {
    let reply = get(&app(pool), "/readyz").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // Nothing listens on port 1: the check must fail fast with 503, not hang.
    let dead = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    let reply = get(&app(dead), "/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test]
async fn pages_render_on_the_server_with_a_nonce_that_matches_the_policy(pool: PgPool) {
    let reply = get(&app(pool), "/sign-in").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("text/html"));
    assert!(reply.body.contains("<h1"), "server-rendered content");
    assert!(reply.body.contains("Revdesk"));

    let csp = reply.header("content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the policy carries a nonce");
    assert!(
        reply
            .body
            .contains(&format!(r#"<script type="module" nonce="{nonce}">"#)),
        "the hydration script carries the response's nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(
        reply.header("referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(reply.header("x-frame-options"), "DENY");
    assert_eq!(reply.header("cache-control"), "no-store");
    assert_eq!(reply.header("x-request-id").len(), 36, "a UUID request id");
}

#[sqlx::test]
async fn nonces_differ_between_responses(pool: PgPool) {
    let app = app(pool);
    let a = get(&app, "/").await;
    let b = get(&app, "/").await;
    assert_ne!(
        a.header("content-security-policy"),
        b.header("content-security-policy")
    );
}

#[sqlx::test]
async fn a_given_request_id_is_kept(pool: PgPool) {
    let request = Request::get("/healthz")
        .header("x-request-id", "trace-me-42")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app(pool), request).await;
    assert_eq!(reply.header("x-request-id"), "trace-me-42");
}

#[sqlx::test]
async fn the_status_page_is_complete_in_the_first_response(pool: PgPool) {
    let reply = get(&app(pool), "/status").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("Reachable"),
        "database check rendered without JavaScript"
    );
    assert!(reply.body.contains("Migrations applied"));
    assert!(
        !reply.body.contains("Checking…"),
        "no fallback left for a script to replace"
    );
}

#[sqlx::test]
async fn unknown_paths_answer_404_with_the_app_page(pool: PgPool) {
    let reply = get(&app(pool), "/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found"));
}

#[sqlx::test]
async fn metrics_count_requests_by_route_pattern(pool: PgPool) {
    let app = app(pool);
    get(&app, "/healthz").await;
    get(&app, "/no/such/page").await;
    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("text/plain"));
    assert!(
        reply
            .body
            .contains(r#"http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("http_request_duration_seconds_bucket"));
    assert!(
        !reply.body.contains("/no/such/page"),
        "raw paths never become labels"
    );
}

#[sqlx::test]
async fn the_theme_form_sets_a_cookie_and_returns_to_the_page(pool: PgPool) {
    let request = Request::post("/api/theme")
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("referer", "http://localhost/design")
        .header("accept", "text/html,application/xhtml+xml")
        .body(Body::from("theme=dark"))
        .unwrap();
    let reply = send(&app(pool.clone()), request).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    assert!(
        reply
            .header("location")
            .starts_with("http://localhost/design"),
        "{}",
        reply.header("location")
    );
    assert!(
        reply
            .header("set-cookie")
            .starts_with("revdesk_theme=dark;"),
        "{:?}",
        reply.headers
    );

    let request = Request::get("/")
        .header("cookie", "revdesk_theme=dark")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app(pool), request).await;
    assert!(reply.body.contains(r#"data-theme="dark""#));
}

#[sqlx::test]
async fn an_unknown_theme_is_refused_and_sets_nothing(pool: PgPool) {
    let request = Request::post("/api/theme")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Body::from("theme=%3Cscript%3E"))
        .unwrap();
    let reply = send(&app(pool), request).await;
    assert!(
        reply.status.is_client_error() || reply.status.is_server_error(),
        "{:?}",
        reply.status
    );
    assert!(reply.header("set-cookie").is_empty());
    assert!(
        reply.body.contains("Choose system, light or dark."),
        "{}",
        reply.body
    );
}

#[sqlx::test]
async fn pages_answer_while_other_routers_are_built(pool: PgPool) {
    // Building a router once generated the route list, which renders the app with every
    // resource load of the process suspended: a page loading at that moment never
    // answered (the intermittent hang of the cross-tenant sweep).
    let app = app(pool.clone());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = std::thread::spawn({
        let (pool, done) = (pool.clone(), done.clone());
        move || {
            let mut built = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                drop(common::app(pool.clone()));
                built += 1;
            }
            built
        }
    });
    for i in 0..60 {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(10), get(&app, "/status"))
            .await
            .unwrap_or_else(|_| panic!("request {i} did not answer within 10 s"));
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("Reachable"), "request {i}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        builder.join().unwrap() > 0,
        "no router was built beside the requests"
    );
}

/// The page's bytes as sent, for one `Accept-Encoding`, with the encoding chosen and the
/// response's CSP nonce.
async fn fetch_encoded(app: &axum::Router, accept: &str) -> (String, Vec<u8>, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = Request::get("/sign-in")
        .header("host", "localhost")
        .header("accept-encoding", accept)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split_once('\''))
        .map(|(nonce, _)| nonce.to_owned())
        .expect("the policy names the nonce");
    let vary = response.headers().get_all("vary").iter().count();
    assert_eq!(vary, 1, "one Vary header, whichever layer compressed");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (encoding, bytes.to_vec(), nonce)
}

#[sqlx::test]
async fn pages_are_compressed_with_gzip_for_every_client_that_takes_it(pool: PgPool) {
    use std::io::Read;
    let app = app(pool);
    let (identity, raw, nonce) = fetch_encoded(&app, "identity").await;
    assert_eq!(identity, "");
    let page = String::from_utf8(raw).unwrap().replace(&nonce, "NONCE");
    assert!(page.contains("<h1"), "the sign-in page");

    // Pages go out as gzip at level 1 whether or not the client also offers brotli
    // (brotli's fastest mode took about twice the CPU for 4 % fewer bytes), and they are
    // compressed for real (gzip level 0 would only store the page).
    for accept in ["gzip, deflate, br, zstd", "gzip, deflate"] {
        let (encoding, gz, gz_nonce) = fetch_encoded(&app, accept).await;
        assert_eq!(encoding, "gzip", "for a client taking {accept}");
        let mut gunzipped = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut gunzipped)
            .unwrap();
        // Each response carries its own nonce; everything else is the same page.
        assert_eq!(
            gunzipped.replace(&gz_nonce, "NONCE"),
            page,
            "{accept}: unpacks to the page"
        );
        assert!(
            gz.len() * 2 < page.len(),
            "{accept}: {} bytes for a page of {}",
            gz.len(),
            page.len()
        );
    }
    // A client that takes only brotli gets the page as it is, not something it can't read.
    let (encoding, plain, plain_nonce) = fetch_encoded(&app, "br").await;
    assert_eq!(encoding, "");
    assert_eq!(
        String::from_utf8(plain)
            .unwrap()
            .replace(&plain_nonce, "NONCE"),
        page
    );
}
