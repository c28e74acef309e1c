//! Cross-site request forgery defence, in front of every server function and form post.
//!
//! Leptos server functions are plain POST endpoints with no CSRF protection of their own,
//! and a form on any site can post to them with the victim's cookies. This layer refuses
//! every state-changing request that does not prove it comes from our own pages:
//!
//! 1. `Sec-Fetch-Site` (sent by every current browser): only `same-origin` passes.
//! 2. Without it, `Origin` must be our origin (`null`, sent for opaque origins, fails).
//! 3. Without either, `Referer` must be on our origin.
//! 4. With none of them, the request is refused.
//!
//! A cross-origin `Origin` or `Referer` fails even when an earlier header passed, so the
//! no-JS redirect after a form post (which goes back to the `Referer`) never leaves the
//! site. The body's content type must be the encoding the endpoint reads, so a
//! `text/plain` "simple request" cannot smuggle a form body past a lax browser.

use super::settings::{Origin, SecuritySettings};
use super::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};

/// Whether the endpoint at `path` takes `multipart/form-data` (a file upload: the lead
/// import, `/o/{org}/leads/import`). Every other state-changing endpoint takes
/// `application/x-www-form-urlencoded`.
pub fn takes_multipart(path: &str) -> bool {
    path.strip_prefix("/o/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(org, rest)| !org.is_empty() && rest == "leads/import")
}

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It came from another site (or could not show where it came from).
    CrossOrigin(&'static str),
    /// Its body is not in the encoding the endpoint reads.
    ContentType,
}

/// Whether a request with this method can change state.
pub fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The origin requests must come from: the configured public URL, or the request's Host.
fn matches_expected(origin: &Origin, settings: &SecuritySettings, headers: &HeaderMap) -> bool {
    match &settings.public_origin {
        Some(expected) => origin == expected,
        None => headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| host.eq_ignore_ascii_case(&origin.authority)),
    }
}

/// Decides whether a state-changing request may proceed.
pub fn check(path: &str, headers: &HeaderMap, settings: &SecuritySettings) -> Result<(), Refusal> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let same =
        |value: &str| Origin::parse(value).is_some_and(|o| matches_expected(&o, settings, headers));
    let fetch_site = text(header::HeaderName::from_static("sec-fetch-site"));
    let origin = text(header::ORIGIN);
    let referer = text(header::REFERER);

    if origin.is_some_and(|o| !same(o)) {
        return Err(Refusal::CrossOrigin("the Origin header names another site"));
    }
    if referer.is_some_and(|r| !same(r)) {
        return Err(Refusal::CrossOrigin(
            "the Referer header names another site",
        ));
    }
    match (fetch_site, origin, referer) {
        (Some("same-origin"), _, _) => {}
        (Some(_), _, _) => return Err(Refusal::CrossOrigin("Sec-Fetch-Site is not same-origin")),
        (None, Some(_), _) | (None, None, Some(_)) => {}
        (None, None, None) => {
            return Err(Refusal::CrossOrigin(
                "no Sec-Fetch-Site, Origin or Referer header",
            ));
        }
    }

    let content_type = text(header::CONTENT_TYPE)
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase());
    let expected = if takes_multipart(path) {
        "multipart/form-data"
    } else {
        "application/x-www-form-urlencoded"
    };
    match content_type.as_deref() {
        Some(ct) if ct == expected => Ok(()),
        // A body-less POST (a button with no fields) sends no content type at all.
        None if headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|l| l == "0") =>
        {
            Ok(())
        }
        _ => Err(Refusal::ContentType),
    }
}

/// Axum middleware applying [`check`] to every state-changing request.
pub async fn reject_forgery(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_state_changing(request.method()) {
        return next.run(request).await;
    }
    match check(request.uri().path(), request.headers(), &state.security) {
        Ok(()) => next.run(request).await,
        Err(Refusal::CrossOrigin(why)) => {
            tracing::warn!(reason = why, path = %request.uri().path(), "refused a cross-origin request");
            (
                StatusCode::FORBIDDEN,
                "This request did not come from a Revdesk page, so it was refused. \
                 Go back, reload the page and try again.",
            )
                .into_response()
        }
        Err(Refusal::ContentType) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This endpoint accepts form data only.",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "app.test".parse().unwrap());
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn verdict(pairs: &[(&'static str, &'static str)]) -> Result<(), Refusal> {
        check("/api/x", &headers(pairs), &SecuritySettings::default())
    }

    #[test]
    fn same_origin_passes_by_any_of_the_three_headers() {
        assert_eq!(verdict(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(verdict(&[("origin", "http://app.test")]), Ok(()));
        assert_eq!(verdict(&[("referer", "http://app.test/o/acme")]), Ok(()));
    }

    #[test]
    fn forgeries_are_refused() {
        for forged in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
            vec![("origin", "http://evil.test")],
            vec![("origin", "null")],
            vec![("referer", "http://evil.test/x")],
            vec![
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://evil.test"),
            ],
            vec![
                ("sec-fetch-site", "same-origin"),
                ("referer", "http://evil.test/"),
            ],
            vec![],
        ] {
            assert!(
                matches!(verdict(&forged), Err(Refusal::CrossOrigin(_))),
                "{forged:?}"
            );
        }
    }

    #[test]
    fn only_the_endpoint_encoding_is_accepted() {
        let mut h = headers(&[("sec-fetch-site", "same-origin")]);
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(
            check("/api/x", &h, &SecuritySettings::default()),
            Err(Refusal::ContentType)
        );
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(check("/api/x", &h, &SecuritySettings::default()), Ok(()));
    }

    #[test]
    fn only_the_upload_takes_multipart() {
        let mut h = headers(&[("sec-fetch-site", "same-origin")]);
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=x".parse().unwrap(),
        );
        let settings = SecuritySettings::default();
        assert_eq!(check("/o/acme/leads/import", &h, &settings), Ok(()));
        for path in [
            "/api/x",
            "/o/acme/leads/import/1",
            "/o//leads/import",
            "/o/acme/leads",
        ] {
            assert_eq!(
                check(path, &h, &settings),
                Err(Refusal::ContentType),
                "{path}"
            );
        }
        let h = headers(&[("sec-fetch-site", "same-origin")]);
        assert_eq!(
            check("/o/acme/leads/import", &h, &settings),
            Err(Refusal::ContentType)
        );
    }

    #[test]
    fn a_configured_public_origin_wins_over_the_host_header() {
        let settings = SecuritySettings {
            public_origin: Origin::parse("https://crm.example"),
            ..SecuritySettings::default()
        };
        let h = headers(&[("origin", "http://app.test")]);
        assert!(check("/api/x", &h, &settings).is_err());
        let h = headers(&[("origin", "https://crm.example")]);
        assert_eq!(check("/api/x", &h, &settings), Ok(()));
    }
}
