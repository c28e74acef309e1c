//! Times the ways a rendered page can be compressed, on saved pages:
//! `cargo run --release --features ssr --example compress_cost -- page.html [more.html]`
//! (save pages with `curl -H "Cookie: …" URL > page.html`). Prints microseconds per page
//! and bytes for brotli quality 0 fed the whole page and fed it in four pieces, a fresh
//! gzip encoder per page (what a streaming layer does), miniz_oxide's deflate state kept
//! and reset between pages (what the server did before), and the application's
//! whole-body gzip (`revdesk::server::compress::gzip`: libdeflate level 1, one compressor
//! per thread). docs/architecture.md quotes its figures.

use std::io::Write;
use std::time::Instant;

fn brotli_in_chunks(page: &[u8]) -> usize {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 0,
        ..Default::default()
    };
    let mut writer = brotli::CompressorWriter::with_params(Vec::new(), 8192, &params);
    let third = page.len() / 3;
    let cuts = [
        0,
        2000.min(third),
        third,
        page.len().saturating_sub(300).max(third),
        page.len(),
    ];
    for pair in cuts.windows(2) {
        writer.write_all(&page[pair[0]..pair[1]]).unwrap();
        writer.flush().unwrap();
    }
    writer.into_inner().len()
}

fn brotli_whole(page: &[u8]) -> usize {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 0,
        ..Default::default()
    };
    let mut writer = brotli::CompressorWriter::with_params(Vec::new(), 8192, &params);
    writer.write_all(page).unwrap();
    writer.into_inner().len()
}

fn fresh_gzip(page: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
    encoder.write_all(page).unwrap();
    encoder.finish().unwrap().len()
}

thread_local! {
    static MINIZ: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::new(1), false));
}

/// Raw deflate from a kept miniz_oxide state (the gzip framing adds 18 bytes).
fn kept_miniz_state(page: &[u8]) -> usize {
    MINIZ.with_borrow_mut(|deflate| {
        deflate.reset();
        let mut out = Vec::with_capacity(page.len() + 1024);
        let status = deflate
            .compress_vec(page, &mut out, flate2::FlushCompress::Finish)
            .unwrap();
        assert_eq!(status, flate2::Status::StreamEnd, "room for the whole page");
        out.len() + 18
    })
}

fn app_gzip(page: &[u8]) -> usize {
    revdesk::server::compress::gzip(page).len()
}

/// One way of compressing a page: its compressed size.
type Way = fn(&[u8]) -> usize;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: compress_cost PAGE.html [MORE.html …]");
        std::process::exit(2);
    }
    let ways: [(&str, Way); 5] = [
        ("brotli quality 0, whole", brotli_whole),
        ("brotli quality 0, 4 pieces", brotli_in_chunks),
        ("gzip 1, fresh encoder", fresh_gzip),
        ("gzip 1, kept miniz state", kept_miniz_state),
        ("gzip 1, libdeflate (the app)", app_gzip),
    ];
    let runs = 2000;
    for file in files {
        let page = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("{file}: {} bytes", page.len());
        for (name, way) in ways {
            let mut size = way(&page);
            let start = Instant::now();
            for _ in 0..runs {
                size = way(&page);
            }
            let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
            println!("  {name:<28} {micros:7.1} µs  {size:6} bytes");
        }
    }
}
