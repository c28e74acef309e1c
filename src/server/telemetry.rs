//! Structured logging. `RUST_LOG` filters (default `info`); `REVDESK_LOG_FORMAT=json`
//! writes one JSON object per line. Every request's span carries its request id.

use super::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Call once, first thing in `main`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    // A second init (in tests) keeps the first subscriber.
    let _ = result;
}
