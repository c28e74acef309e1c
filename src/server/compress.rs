//! Gzip for pages and server-function answers, with one deflate state per thread.
//!
//! Every page is rendered whole before its first byte goes out (`SsrMode::Async`), so it
//! is compressed whole too: in one call, into a buffer sized for it, by a deflate state
//! each worker thread keeps and resets between responses. A fresh gzip encoder per
//! response (what a streaming compression layer does) allocates and zeroes about 300 KiB
//! of tables every time, which cost more than compressing the 15 KiB lead page itself.
//! Brotli's fastest mode, the setting before this one, took 1.7 to 2.4 times the CPU of
//! the kept deflate state for 4 % fewer bytes (`examples/compress_cost.rs`;
//! docs/architecture.md has the figures).
//!
//! Other responses (the CSV export, which streams) are left to the streaming layer in
//! `http.rs`, which skips these content types.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flate2::{Compress, Compression, FlushCompress, Status};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use std::cell::RefCell;

/// The content types compressed here: what the application renders whole.
pub const WHOLE_BODY_TYPES: [&str; 2] = ["text/html", "application/json"];

/// Bodies smaller than this go out as they are: gzip's 18 bytes of framing and the
/// work would gain nothing.
const MIN_BYTES: usize = 1024;

/// A rendered page is tens of KiB; anything past this is a bug, answered with a 500
/// rather than held in memory.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// The deflate level: 1, the fastest that still compresses (0 only stores).
const LEVEL: u32 = 1;

thread_local! {
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(LEVEL), false));
}

/// Whether the request's `Accept-Encoding` takes gzip (a `gzip` or `*` entry whose
/// q-value is not zero).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|entry| {
            let mut parts = entry.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

fn whole_body_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| WHOLE_BODY_TYPES.iter().any(|t| ct.starts_with(t)))
}

/// `data` as a gzip member (RFC 1952): header, raw deflate from this thread's state,
/// CRC-32 and length.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    // No name, no time, unknown OS.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    out.extend_from_slice(&HEADER);
    DEFLATE.with_borrow_mut(|deflate| {
        deflate.reset();
        let mut room = 64;
        loop {
            let consumed = deflate.total_in() as usize;
            if out.capacity() - out.len() < room {
                out.reserve(out.capacity() / 2 + room);
            }
            match deflate.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(Status::Ok) => {}
                // No progress with the room there was: give it more next time.
                Ok(Status::BufError) => room *= 2,
                // Deflating a byte slice into a growable buffer cannot fail.
                Err(err) => unreachable!("deflate failed: {err}"),
            }
        }
    });
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Axum middleware: gzips the whole body of HTML and JSON responses for clients that
/// take gzip, and says `Vary: Accept-Encoding` on them either way.
pub async fn compress(request: Request, next: Next) -> Response {
    let gzip_ok = accepts_gzip(request.headers()) && request.method() != http::Method::HEAD;
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if !whole_body_type(&parts.headers) || parts.headers.contains_key(header::CONTENT_ENCODING) {
        return Response::from_parts(parts, body);
    }
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !gzip_ok
        || matches!(
            parts.status,
            StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
        )
    {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "a response body could not be read whole for compression");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let packed = gzip(&bytes);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, packed.len().into());
    Response::from_parts(parts, Body::from(packed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn gzip_members_unpack_to_their_input_one_after_another_on_one_state() {
        let page = "<tr><td>Lead</td></tr>".repeat(3000);
        let noise: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for data in [page.as_bytes(), &noise, b"", page.as_bytes()] {
            let packed = gzip(data);
            assert_eq!(unzip(&packed), data, "{} bytes", data.len());
        }
        assert!(
            gzip(page.as_bytes()).len() * 20 < page.len(),
            "repetitive text shrinks"
        );
    }

    #[test]
    fn reads_accept_encoding_with_q_values() {
        let accepts = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
            accepts_gzip(&h)
        };
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("br"));
        assert!(!accepts("gzip;q=0, br"));
        assert!(!accepts("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
