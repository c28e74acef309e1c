//! The `revdesk` binary: `serve` (default), `migrate`, `seed`, `create-admin`.

/// mimalloc rather than glibc's malloc: rendering and compressing a page allocates and
/// frees many short-lived buffers across tokio's worker threads, and under load glibc's
/// malloc and free were an eighth of the server's CPU (`perf record`, leads list).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    revdesk::server::cli::run().await
}
