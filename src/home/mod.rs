//! The public overview page.

pub mod pages;
