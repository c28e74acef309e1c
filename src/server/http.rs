//! The HTTP application: routes, middleware and graceful serving.

use super::assets;
use super::compress::WHOLE_BODY_TYPES;
use super::metrics as app_metrics;
use super::security_headers::security_headers;
use super::state::AppState;
use crate::app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Routes served by plain axum handlers rather than Leptos (besides the probes): the
/// authorization matrix must list these too.
pub const HANDLER_ROUTES: &[&str] = &[
    "/o/{org}/leads/export.csv",
    "/o/{org}/leads/import/{id}/errors.csv",
];

/// Form posts served by plain axum handlers (file uploads); listed in the matrix too.
pub const HANDLER_POSTS: &[&str] = &["/o/{org}/leads/import"];

/// The application's routes, generated once per process. Generating them renders the
/// app with every resource load suspended through a flag that leptos_server keeps for the
/// whole process: a resource of another request first polled while the flag is up
/// never loads, and its page never answers (leptos issue #4773). `serve` builds one router
/// before it listens; the tests build a router per test, beside other tests' requests,
/// and did hang now and then until the list was made once here.
pub fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let pkg_dir = format!(
        "{}/{}",
        state.leptos_options.site_root, state.leptos_options.site_pkg_dir
    );
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(assets::IMMUTABLE),
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(HANDLER_ROUTES[0], get(crate::leads::export::export_csv))
        .route(
            HANDLER_ROUTES[1],
            get(crate::leads::import::upload::error_report),
        )
        .route(
            HANDLER_POSTS[0],
            post(crate::leads::import::upload::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::leads::import::model::MAX_BYTES + 64 * 1024,
            )),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), render)
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), pkg)
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Innermost first: who is asking, their session, and (outside both, so a forged
        // request never even loads a session) the cross-origin check.
        .layer(axum::middleware::from_fn(super::error_status::error_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::session::authenticate,
        ))
        .layer(super::session::layer(state.pool.clone(), &state.security))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::csrf::reject_forgery,
        ))
        .layer(axum::middleware::from_fn(app_metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(axum::middleware::from_fn(security_headers))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                // Pages and server-function answers are gzipped whole, by a deflate
                // state each thread keeps (`compress`); everything else that can be
                // compressed (the streamed CSV export) by this streaming layer, at level
                // 1 too. The release assets are compressed once, at brotli 11 and gzip 9,
                // by the build (`--precompress`), and served as files.
                .layer(
                    CompressionLayer::new()
                        .quality(CompressionLevel::Precise(1))
                        .compress_when(
                            DefaultPredicate::new()
                                .and(NotForContentType::const_new(WHOLE_BODY_TYPES[0]))
                                .and(NotForContentType::const_new(WHOLE_BODY_TYPES[1])),
                        ),
                )
                .layer(axum::middleware::from_fn(super::compress::compress)),
        )
        .with_state(state)
}

/// The process is up. Never touches the database, so an orchestrator does not restart a
/// healthy process because the database blinked.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers and migrations have run.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(2), super::db::check(&state.pool)).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out"),
    }
}

/// Prometheus text exposition.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting, lets in-flight requests finish
/// for up to `grace`, and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    grace: Duration,
) -> std::io::Result<()> {
    let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!(
            grace_secs = grace.as_secs(),
            "shutting down: draining in-flight requests"
        );
        let _ = signalled_tx.send(());
    });
    let deadline = async move {
        if signalled_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("shutdown deadline reached: closing remaining connections");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
