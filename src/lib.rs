//! Revdesk: a multi-tenant revenue-operations console.
//!
//! One crate, two builds. With `ssr` it is the server (axum, sqlx, sessions); with
//! `hydrate` it is the browser bundle. Server-only modules are gated at their declaration
//! so the wasm build never compiles them.

// Without erased view types (release builds), the nested view types of the shell and the
// leads pages go deeper than rustc's default query depth of 128.
#![recursion_limit = "256"]

pub mod access;
pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod design;
pub mod error;
pub mod home;
pub mod leads;
pub mod org;
pub mod shell;
pub mod status;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: hydrates the server-rendered page, then marks the document
/// with `data-hydrated` so tests (and people debugging) can tell the wasm is live.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "islands")]
    leptos::mount::hydrate_islands();
    #[cfg(not(feature = "islands"))]
    leptos::mount::hydrate_body(app::App);
    // In islands mode the loader hydrates each island after this function returns, in a
    // chain of microtasks; a zero timeout runs after all of them.
    leptos::prelude::set_timeout(
        || {
            if let Some(root) = leptos::prelude::document().document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
