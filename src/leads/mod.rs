//! The leads pipeline: list, detail, edits, status changes, activities and export.

pub mod api;
pub mod board;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
mod db;
#[cfg(feature = "ssr")]
pub mod export;
pub mod model;
pub mod pages;
pub mod score;
#[cfg(feature = "ssr")]
mod scoring;
