//! The state every handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use std::sync::Arc;

/// What every handler and server function shares, behind one reference count: the
/// state is cloned several times per request (each context read hands out a copy), and
/// cloning the fields one by one (the Leptos options alone hold a dozen shared strings)
/// was a few per cent of the server's CPU on small pages.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    shared: Shared,
    keep_limit: super::db::KeepLimit,
}

/// The fields of [`AppState`].
#[derive(Debug)]
pub struct Shared {
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

impl AppState {
    /// The state of one application.
    pub fn new(shared: Shared) -> Self {
        let keep_limit = super::db::KeepLimit::for_pool(&shared.pool);
        AppState(Arc::new(Inner { shared, keep_limit }))
    }

    /// How many connections page requests may keep from their session read for their
    /// tenant transaction (see [`super::db::KeptConnection`]).
    pub fn keep_limit(&self) -> &super::db::KeepLimit {
        &self.0.keep_limit
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0.shared
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
