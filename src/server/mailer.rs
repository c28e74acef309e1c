//! Delivers the email outbox over SMTP when `REVDESK_SMTP_URL` is set.
//!
//! Requests only write `email_outbox` rows (in the transaction of the change that causes
//! them). This worker takes due rows with `FOR UPDATE SKIP LOCKED`, so several servers
//! can run it side by side without sending a message twice, sends them, and marks each
//! sent, or schedules a retry with exponential backoff, or gives up after
//! [`MAX_ATTEMPTS`] and marks it failed.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Attempts before a message is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;
/// Messages per batch.
const BATCH: i64 = 20;

/// The SMTP side of the mailer.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds credentials: never print it.
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// A mailer for the SMTP URL and sender address, checked but not yet connected.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("REVDESK_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("REVDESK_MAIL_FROM `{from}` is not an address: {e}"))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| format!("could not build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Messages delivered.
    pub sent: usize,
    /// Messages that failed this time (retried later or given up).
    pub failed: usize,
}

/// Sends the due messages, one batch.
pub async fn deliver_due(pool: &PgPool, mailer: &Mailer) -> Result<Pass, sqlx::Error> {
    let mut tx = crate::server::db::begin(pool).await?;
    let due = sqlx::query!(
        r#"select id, to_address::text as "to!", subject, body_text, attempts from email_outbox
           where status = 'pending' and send_after <= now()
           order by send_after, id
           limit $1
           for update skip locked"#,
        BATCH
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut pass = Pass::default();
    for message in due {
        match mailer
            .send(&message.to, &message.subject, &message.body_text)
            .await
        {
            Ok(()) => {
                pass.sent += 1;
                mark_sent(&mut tx, message.id).await?;
            }
            Err(err) => {
                pass.failed += 1;
                tracing::warn!(id = %message.id, attempts = message.attempts + 1, error = %err, "email delivery failed");
                mark_failed(&mut tx, message.id, message.attempts + 1, &err).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(pass)
}

async fn mark_sent(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update email_outbox set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null where id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn mark_failed(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    attempts: i32,
    error: &str,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    // 1, 2, 4, … minutes between attempts; failed for good after MAX_ATTEMPTS.
    sqlx::query!(
        "update email_outbox
         set attempts = $2::int, last_error = $3,
             status = case when $2::int >= $4::int then 'failed'::email_status else 'pending'::email_status end,
             send_after = now() + make_interval(mins => power(2, least($2::int, 10) - 1)::int)
         where id = $1",
        id,
        attempts,
        error,
        MAX_ATTEMPTS,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Delivers forever, a pass every `every`; errors are logged and retried.
pub async fn run(pool: PgPool, mailer: Mailer, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match deliver_due(&pool, &mailer).await {
            Ok(pass) if pass.sent + pass.failed > 0 => {
                tracing::info!(sent = pass.sent, failed = pass.failed, "email outbox pass");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "email outbox pass failed"),
        }
    }
}
