//! Form feedback: the error of the last submission and the notice after a success.
//!
//! Forms post to server functions. Without JavaScript (and on every page outside an
//! island) the browser posts, the server answers with a redirect back, and an error
//! travels in the address; the page reads it back through the action.

use super::{Flash, FlashKind};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The error of the last submission of `action`, if it failed.
pub fn last_error<S>(action: ServerAction<S>) -> Option<AppError>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.value().get_untracked().and_then(Result::err)
}

/// The message for field `name`, if the error names it.
pub fn field_error(error: &Option<AppError>, name: &str) -> Option<String> {
    error
        .as_ref()
        .and_then(|e| e.field_message(name))
        .map(str::to_owned)
}

/// The error above a form: a form-wide message, or the summary of field errors.
#[component]
pub fn FormAlert(error: Option<AppError>) -> impl IntoView {
    error.map(|err| {
        let message = match err.field_message("form") {
            Some(m) => m.to_owned(),
            None => err.to_string(),
        };
        view! { <Flash kind=FlashKind::Error message /> }
    })
}

/// A success message chosen by the `notice` query parameter a server function
/// redirected with. Unknown notices show nothing.
#[component]
pub fn Notice(messages: fn(&str) -> Option<&'static str>) -> impl IntoView {
    let notice = use_query_map()
        .get_untracked()
        .get("notice")
        .and_then(|n| messages(&n));
    notice.map(|message| view! { <Flash kind=FlashKind::Success message /> })
}
