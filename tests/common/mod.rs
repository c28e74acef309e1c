//! Shared helpers for the in-process tests: the real router on a fresh database.

#![allow(dead_code)] // each test binary uses a different subset

use axum::Router;
use axum::body::Body;
use http::{Request, Response};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use revdesk::server::{http as app_http, metrics, state::AppState};
use sqlx::PgPool;
use tower::ServiceExt;

/// The application exactly as `serve` builds it, on the given pool.
pub fn app(pool: PgPool) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("revdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    app_http::router(AppState {
        stylesheet_href: "/pkg/revdesk.css".into(),
        leptos_options,
        pool,
        metrics: metrics::handle(),
    })
}

/// A response with its body read into a string.
pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request through the router, in process.
pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response: Response<Body> = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `GET path`.
pub async fn get(app: &Router, path: &str) -> Reply {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}
