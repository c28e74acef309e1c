//! Security headers on every response, with a fresh CSP nonce per response.
//!
//! The nonce is put in the request's extensions before the handler runs; the document
//! shell reads it from there and gives it to every inline script Leptos writes.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use http::HeaderValue;
use http::header;
use rand::RngCore;

/// The per-response nonce for inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(String);

impl CspNonce {
    /// 128 random bits, base64url: unguessable, and safe in a header and an attribute.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        CspNonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The nonce text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Content-Security-Policy for one response.
///
/// Scripts: our own files and the inline loader that carries the nonce; wasm needs
/// `'wasm-unsafe-eval'` to be compiled. No inline styles, no framing, forms post only to
/// us, and no `<base>` rewriting.
pub fn content_security_policy(nonce: &CspNonce) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        nonce.as_str()
    )
}

/// Axum middleware adding the security headers.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    let csp = content_security_policy(&nonce);
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_long_enough() {
        let a = CspNonce::generate();
        let b = CspNonce::generate();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 22, "16 bytes in unpadded base64");
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let nonce = CspNonce::generate();
        let csp = content_security_policy(&nonce);
        assert!(csp.contains(&format!("'nonce-{}'", nonce.as_str())));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
