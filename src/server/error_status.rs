//! Server functions answer every error with HTTP 500 and the error in the body. This
//! layer gives each [`AppError`] its own status (401, 403, 404, 422, …), so clients,
//! proxies, logs and metrics can tell a refused request from a broken server.

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use http_body_util::BodyExt;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// Errors are small; anything bigger is not one of ours and is passed on untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Axum middleware mapping a server function's error body to its status.
pub async fn error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_ERROR_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
