//! The platform console: every tenant, suspension, and explicit support access.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
pub mod model;
pub mod pages;
