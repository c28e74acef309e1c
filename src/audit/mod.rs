//! The organization's audit log: who did what, filterable, newest first.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
pub mod model;
pub mod pages;
