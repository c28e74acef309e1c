//! Gzip for pages and server-function answers, by libdeflate, one compressor per thread.
//!
//! Every page is rendered whole before its first byte goes out (`SsrMode::Async`), so it
//! is compressed whole too: in one call, into a buffer sized for it, by a compressor each
//! worker thread keeps. libdeflate compresses whole buffers only, which is all this needs,
//! and at its level 1 it sent 11 % fewer bytes than miniz_oxide's level 1 (the kept
//! deflate state this replaced) for less CPU (`examples/compress_cost.rs`;
//! docs/architecture.md has the figures). A fresh encoder per response (what a streaming
//! compression layer does) allocates and zeroes hundreds of KiB of tables every time.
//!
//! Other responses (the CSV export, which streams) are left to the streaming layer in
//! `http.rs`, which skips these content types.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use libdeflater::{CompressionLvl, Compressor};
use std::cell::RefCell;

/// The content types compressed here: what the application renders whole.
pub const WHOLE_BODY_TYPES: [&str; 2] = ["text/html", "application/json"];

/// Bodies smaller than this go out as they are: gzip's 18 bytes of framing and the
/// work would gain nothing.
const MIN_BYTES: usize = 1024;

/// A rendered page is tens of KiB; anything past this is a bug, answered with a 500
/// rather than held in memory.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// libdeflate's fastest level that still compresses (0 only stores).
const LEVEL: i32 = 1;

/// The largest output buffer a thread keeps; one grown past it for a larger answer is
/// dropped after that answer.
const KEEP_BYTES: usize = 1024 * 1024;

/// A thread's compressor and the buffer it writes into, both kept between responses, so
/// the buffer is not allocated (nor zeroed) again for every page.
struct Packer {
    deflate: Compressor,
    out: Vec<u8>,
}

thread_local! {
    static PACKER: RefCell<Packer> = RefCell::new(Packer {
        deflate: Compressor::new(
            CompressionLvl::new(LEVEL).expect("level 1 is one of libdeflate's levels"),
        ),
        out: Vec::new(),
    });
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

/// `data` as a gzip member (RFC 1952: header, raw deflate, CRC-32 and length), from
/// this thread's compressor.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    PACKER.with_borrow_mut(|Packer { deflate, out }| {
        let bound = deflate.gzip_compress_bound(data.len());
        if out.len() < bound {
            out.resize(bound, 0);
        }
        // The bound is libdeflate's own worst case for this length, so the output fits.
        let len = deflate
            .gzip_compress(data, &mut out[..bound])
            .expect("the output buffer has libdeflate's bound");
        let packed = out[..len].to_vec();
        if out.len() > KEEP_BYTES {
            *out = Vec::new();
        }
        packed
    })
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
    fn gzip_members_unpack_to_their_input_one_after_another_on_one_thread() {
        let page = "<tr><td>Lead</td></tr>".repeat(3000);
        let noise: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        // Past the kept buffer's size: its buffer is dropped afterwards.
        let large = page.repeat(20);
        assert!(large.len() > KEEP_BYTES);
        for data in [
            page.as_bytes(),
            &noise,
            b"",
            large.as_bytes(),
            page.as_bytes(),
        ] {
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
