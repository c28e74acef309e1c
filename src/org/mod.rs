//! Inside an organization: the frame of every tenant page, the dashboard, the billing
//! overview and the partner portal.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
pub mod model;
pub mod pages;
