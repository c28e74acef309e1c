//! System status: whether the server and its database are healthy, for people.
//! (Machines use `/healthz` and `/readyz`.)

pub mod api;
pub mod model;
pub mod pages;
