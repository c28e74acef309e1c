//! Accounts: sign up, sign in, sign out, password reset, the account page.

pub mod api;
#[cfg(feature = "ssr")]
mod db;
pub mod model;
pub mod pages;
