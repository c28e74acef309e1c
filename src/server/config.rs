//! Configuration from the environment (and `.env` when present). Every variable is listed
//! with its default in `.env.example` and the README.

use clap::{Args, ValueEnum};
use std::time::Duration;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// PostgreSQL connection string. The role needs to own the schema (it runs migrations).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Largest number of pooled database connections per process.
    #[arg(long, env = "REVDESK_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,

    /// The Leptos runtime options file (site address, site root, environment).
    /// `LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT` and `LEPTOS_ENV` override it.
    #[arg(long, env = "REVDESK_LEPTOS_CONFIG", default_value = "Leptos.toml")]
    pub leptos_config: String,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "REVDESK_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// Log format.
    #[arg(long, env = "REVDESK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    /// Sessions, cross-origin checks and client addresses.
    #[command(flatten)]
    pub security: SecurityArgs,

    /// Outgoing mail.
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Where outgoing mail goes.
#[derive(Clone, Debug, Args)]
pub struct MailArgs {
    /// SMTP server, as a URL: `smtps://user:pass@smtp.example.com` (TLS),
    /// `smtp://user:pass@smtp.example.com:587?tls=required` (STARTTLS) or
    /// `smtp://127.0.0.1:2525` (plain, for a local relay). Unset: messages stay in the
    /// outbox, where platform admins read them at `/admin/outbox`.
    #[arg(long, env = "REVDESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every message.
    #[arg(
        long,
        env = "REVDESK_MAIL_FROM",
        default_value = "Revdesk <no-reply@revdesk.localhost>"
    )]
    pub mail_from: String,
}

/// Security settings as given on the command line or in the environment.
#[derive(Clone, Debug, Args)]
pub struct SecurityArgs {
    /// The address people use to reach Revdesk (`https://revdesk.example.com`). Form posts
    /// must come from this origin, links in emails point here, and when it is `https` the
    /// session cookie is `Secure` with the `__Host-` prefix. Unset: the request's own
    /// `Host` is the origin (fine for a single server without a proxy).
    #[arg(long, env = "REVDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "REVDESK_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u64,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "REVDESK_SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: u64,

    /// Comma-separated addresses of reverse proxies whose `X-Forwarded-For` is believed
    /// (`10.0.0.5,10.0.1.0/24`). Unset: the client address is the TCP peer, always.
    #[arg(long, env = "REVDESK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
}

impl Config {
    /// The database URL, or a message saying how to provide one.
    pub fn require_database_url(&self) -> Result<&str, String> {
        self.database_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                "DATABASE_URL is not set. Set it to a PostgreSQL connection string, \
             or use `make run`, which starts a private database."
                    .to_owned()
            })
    }

    /// How long shutdown waits for in-flight requests.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Harness {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn defaults_are_documented_values() {
        let h = Harness::try_parse_from(["revdesk"]).unwrap();
        assert_eq!(h.config.db_max_connections, 10);
        assert_eq!(h.config.shutdown_grace(), Duration::from_secs(20));
        assert_eq!(h.config.leptos_config, "Leptos.toml");
    }

    #[test]
    fn missing_database_url_explains_what_to_do() {
        let h = Harness::try_parse_from(["revdesk", "--database-url", ""]).unwrap();
        let err = h.config.require_database_url().unwrap_err();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(err.contains("make run"), "{err}");
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert!(Harness::try_parse_from(["revdesk", "--db-max-connections", "many"]).is_err());
    }
}
