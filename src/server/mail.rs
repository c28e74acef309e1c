//! Outgoing email. Messages are written to `email_outbox` in the transaction of the
//! change that causes them; nothing is sent from inside a request.

use super::settings::SecuritySettings;
use sqlx::PgConnection;
use uuid::Uuid;

/// Queues one plain-text message.
pub async fn enqueue(
    conn: &mut PgConnection,
    organization_id: Option<Uuid>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into email_outbox (id, organization_id, to_address, subject, body_text) values ($1, $2, $3, $4, $5)",
        Uuid::now_v7(),
        organization_id,
        to,
        subject,
        body,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The base URL for links in emails: the configured public URL, else the request's Host.
pub fn base_url(settings: &SecuritySettings) -> String {
    if let Some(origin) = &settings.public_origin {
        return origin.to_url();
    }
    let host = super::session::with_request(|p| {
        p.headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    })
    .flatten()
    .unwrap_or_else(|| "localhost:3000".to_owned());
    format!("http://{host}")
}
