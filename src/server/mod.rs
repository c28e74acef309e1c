//! Server-only infrastructure. Compiled with the `ssr` feature; the wasm build never
//! sees it.

pub mod assets;
pub mod audit;
pub mod cli;
pub mod compress;
pub mod config;
pub mod csrf;
pub mod db;
pub mod error_status;
pub mod guard;
pub mod http;
pub mod mail;
pub mod mailer;
pub mod metrics;
pub mod password;
pub mod render;
pub mod security_headers;
pub mod seed;
pub mod session;
pub mod session_store;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod upkeep;
