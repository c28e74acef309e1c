//! The state every handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use std::sync::Arc;

/// Cheap to clone: every field is a handle.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Leptos runtime options (site root, output name, address).
    pub leptos_options: LeptosOptions,
    /// The database pool.
    pub pool: PgPool,
    /// Renders the Prometheus metrics of this process.
    pub metrics: PrometheusHandle,
    /// The stylesheet's URL, fingerprinted when the build hashed its files.
    pub stylesheet_href: String,
    /// Sessions, cross-origin checks, client addresses.
    pub security: Arc<super::settings::SecuritySettings>,
    /// The leads list's match counts (served only while `serve` listens for changes).
    pub counts: Arc<crate::leads::counts::CountCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
