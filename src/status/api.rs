//! Server functions of the status page.

use super::model::SystemStatus;
use crate::error::AppError;
use leptos::prelude::*;

/// Reports the version and a live database check. Public: it reveals nothing an
/// unauthenticated visitor could not learn from `/readyz`.
#[server(endpoint = "load_status")]
pub async fn load_status() -> Result<SystemStatus, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let database = crate::server::db::check(&state.pool).await.ok();
    Ok(SystemStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database,
    })
}
