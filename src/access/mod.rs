//! Organizations from the inside: the frame of tenant pages, members, invitations,
//! teams, roles and permissions.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
#[cfg(feature = "ssr")]
mod invitations;
pub mod model;
pub mod pages;
