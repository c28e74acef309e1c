//! The `revdesk` binary: `serve` (default), `migrate`, `seed`, `create-admin`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    revdesk::server::cli::run().await
}
