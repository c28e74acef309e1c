//! The leads pipeline: list, detail, edits, status changes, activities, import and export.

#[macro_use]
pub mod model;
pub mod api;
pub mod board;
#[cfg(feature = "ssr")]
mod bulk;
#[cfg(feature = "ssr")]
pub mod ceiling;
pub mod components;
#[cfg(feature = "ssr")]
pub mod counts;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
mod db;
#[cfg(feature = "ssr")]
pub mod export;
pub mod import;
pub mod pages;
pub mod rows;
pub mod score;
#[cfg(feature = "ssr")]
mod scoring;
pub mod timeline;
