//! Per-request context for server rendering: the CSP nonce, the theme cookie and the
//! stylesheet URL, taken from the request that leptos_axum puts in context.

use super::security_headers::CspNonce;
use super::state::AppState;
use crate::app::StylesheetHref;
use crate::shell::Theme;
use leptos::nonce::Nonce;
use leptos::prelude::*;

/// Called at the top of the document shell, before anything that needs these values.
pub fn provide_request_context() {
    if let Some(state) = use_context::<AppState>() {
        provide_context(StylesheetHref(state.stylesheet_href.clone()));
    }
    let Some((viewer, nonce, theme)) = super::session::with_request(|parts| {
        (
            parts
                .extensions
                .get::<super::session::CurrentUser>()
                .map(|user| user.viewer.clone()),
            parts
                .extensions
                .get::<CspNonce>()
                .map(|nonce| Nonce::from_value(nonce.as_str())),
            cookie(&parts.headers, crate::shell::THEME_COOKIE)
                .and_then(Theme::parse)
                .unwrap_or_default(),
        )
    }) else {
        return;
    };
    if let Some(viewer) = viewer {
        provide_context(viewer);
    }
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
    provide_context(theme);
}

/// The value of one cookie, if the request carries it.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::COOKIE,
            "a=1; revdesk_theme=dark".parse().unwrap(),
        );
        headers.append(http::header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&headers, "revdesk_theme"), Some("dark"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "theme"), None);
    }
}
