//! Server-only infrastructure. Compiled with the `ssr` feature; the wasm build never
//! sees it.

pub mod assets;
pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod metrics;
pub mod password;
pub mod render;
pub mod security_headers;
pub mod seed;
pub mod state;
pub mod telemetry;
