//! CSV import of leads: upload (streamed and staged), column mapping remembered per
//! organization, a dry run, the run itself in a background worker with progress, and a
//! per-row error report.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod upload;
#[cfg(feature = "ssr")]
pub mod worker;
