//! The command line: `revdesk [serve|migrate|seed|create-admin]`.

use super::config::Config;
use super::password::Password;
use super::{assets, db, http, seed, state::AppState, telemetry};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "revdesk",
    version,
    about = "Revdesk revenue-operations console"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations, then serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Apply migrations, then write the demo data (or, with --scale, the benchmark data).
    Seed {
        /// Do nothing when any organization already exists.
        #[arg(long)]
        if_empty: bool,
        /// Build the benchmark data instead: many organizations, millions of rows.
        #[arg(long)]
        scale: bool,
        /// With --scale: number of organizations.
        #[arg(long, default_value_t = 300)]
        organizations: usize,
        /// With --scale: total leads.
        #[arg(long, default_value_t = 2_000_000)]
        leads: u64,
        /// With --scale: total journey events.
        #[arg(long, default_value_t = 10_000_000)]
        journey_events: u64,
    },
    /// Serve the benchmark's ceiling: the leads list and detail through bare axum
    /// handlers running the same queries as the app, as the given member (`make bench`).
    BenchCeiling {
        /// The member to act as.
        #[arg(long)]
        email: String,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:3900")]
        addr: std::net::SocketAddr,
    },
    /// Create a platform administrator, or promote an existing user to one.
    /// The password is read from REVDESK_ADMIN_PASSWORD, or else from the first line of stdin.
    CreateAdmin {
        /// The administrator's email address.
        #[arg(long)]
        email: String,
        /// The administrator's display name.
        #[arg(long, default_value = "Platform admin")]
        name: String,
    },
}

/// Parses the command line, runs the command, and reports failure as exit code 1 with a
/// message on stderr.
pub async fn run() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(cli.config.log_format);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("revdesk: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    let url = config.require_database_url()?.to_owned();
    let slow = match cli.command {
        Some(Command::Seed { .. }) => std::time::Duration::from_secs(120),
        _ => std::time::Duration::from_secs(1),
    };
    let pool = db::connect_lazy(&url, config.db_max_connections, slow)
        .map_err(|e| format!("bad DATABASE_URL: {e}"))?;
    let migrate = || async {
        db::migrate(&pool)
            .await
            .map_err(|e| format!("migrations failed: {e}"))
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed {
            scale: true,
            organizations,
            leads,
            journey_events,
            ..
        } => {
            migrate().await?;
            let options = seed::ScaleOptions {
                organizations,
                leads,
                journey_events,
                ..seed::ScaleOptions::default()
            };
            let report = seed::scale(&pool, options)
                .await
                .map_err(|e| format!("seeding failed: {e}"))?;
            println!(
                "{} scale data: {} organizations, {} leads (largest tenant {}), {} journey events; {:.1} s; database {:.2} GiB",
                if report.built {
                    "Built"
                } else {
                    "Already present:"
                },
                report.organizations,
                report.leads,
                report.largest_tenant_leads,
                report.journey_events,
                report.elapsed.as_secs_f64(),
                report.database_bytes as f64 / (1u64 << 30) as f64,
            );
            Ok(())
        }
        Command::Seed { if_empty, .. } => {
            migrate().await?;
            match seed::demo(&pool, if_empty)
                .await
                .map_err(|e| format!("seeding failed: {e}"))?
            {
                seed::Outcome::Seeded => println!("Demo data written."),
                seed::Outcome::Skipped => println!("Demo data already present."),
            }
            print_demo_logins();
            Ok(())
        }
        Command::CreateAdmin { email, name } => {
            migrate().await?;
            let password = match std::env::var("REVDESK_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| format!("reading the password: {e}"))?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let password = Password::parse(password).map_err(str::to_owned)?;
            let created = seed::create_admin(&pool, &email, &name, &password)
                .await
                .map_err(|e| format!("creating the administrator failed: {e}"))?;
            println!(
                "{} platform administrator {email}",
                if created { "created" } else { "promoted" }
            );
            Ok(())
        }
        Command::Serve => {
            migrate().await?;
            serve(&config, pool).await
        }
        Command::BenchCeiling { email, addr } => {
            let user = seed::user_id(&pool, &email)
                .await
                .map_err(|e| format!("looking up {email}: {e}"))?
                .ok_or_else(|| format!("no user {email}: run `make seed-scale` first"))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("binding {addr}: {e}"))?;
            println!("bench ceiling listening on http://{addr}");
            axum::serve(listener, crate::leads::ceiling::router(pool, user))
                .await
                .map_err(|e| format!("serving: {e}"))
        }
    }
}

fn print_demo_logins() {
    println!(
        "\nDemo sign-ins (password for all: {}):",
        seed::DEMO_PASSWORD
    );
    for login in seed::demo_logins() {
        println!(
            "  {:<30} {:<15} {}",
            login.email, login.role, login.organization
        );
    }
}

async fn serve(config: &Config, pool: sqlx::PgPool) -> Result<(), String> {
    let conf = leptos::config::get_configuration(Some(&config.leptos_config))
        .map_err(|e| format!("reading {}: {e}", config.leptos_config))?;
    let leptos_options = conf.leptos_options;
    if !assets::site_is_built(&leptos_options) {
        tracing::warn!(site_root = %leptos_options.site_root, "no built site found: run `cargo leptos build` (or `make run`) first");
    }
    let metrics = super::metrics::handle();
    let upkeep = metrics.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let security = super::settings::SecuritySettings::from_args(&config.security)?;
    tokio::spawn(super::upkeep::run(pool.clone()));
    tokio::spawn(crate::leads::import::worker::run(pool.clone()));
    let counts = std::sync::Arc::new(crate::leads::counts::CountCache::default());
    tokio::spawn(crate::leads::counts::listen(pool.clone(), counts.clone()));
    match config.mail.smtp_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            let mailer = super::mailer::Mailer::new(url, &config.mail.mail_from)?;
            tokio::spawn(super::mailer::run(
                pool.clone(),
                mailer,
                std::time::Duration::from_secs(5),
            ));
            tracing::info!("sending email through SMTP");
        }
        None => {
            tracing::info!("REVDESK_SMTP_URL is not set: email stays in the outbox (/admin/outbox)")
        }
    }
    let addr = leptos_options.site_addr;
    let state = AppState::new(super::state::Shared {
        stylesheet_href: assets::stylesheet_href(&leptos_options),
        leptos_options,
        pool,
        metrics,
        security: std::sync::Arc::new(security),
        counts,
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("binding {addr}: {e}"))?;
    tracing::info!(%addr, "listening on http://{addr}");
    http::serve(listener, http::router(state), config.shutdown_grace())
        .await
        .map_err(|e| format!("server error: {e}"))
}
