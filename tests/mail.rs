//! The email outbox delivered over SMTP: the real mailer and lettre's SMTP client against
//! a small SMTP server in the test, speaking the protocol over TCP.

use revdesk::server::mailer::{Mailer, deliver_due};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Starts an SMTP server on a free port that keeps every message it accepts, and refuses
/// recipients whose address starts with `bounce`. Returns its URL and the messages.
async fn smtp_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.to_ascii_uppercase();
                    let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if verb.starts_with("RCPT TO:<BOUNCE") {
                        b"550 no such mailbox\r\n"
                    } else if verb.starts_with("DATA") {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut message = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            message.push_str(&l);
                            message.push('\n');
                        }
                        store.lock().unwrap().push(message);
                        b"250 queued\r\n"
                    } else if verb.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, received)
}

async fn queue(pool: &PgPool, to: &str, subject: &str) {
    sqlx::query(
        "insert into email_outbox (id, to_address, subject, body_text) values ($1, $2, $3, 'Hello')",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(to)
    .bind(subject)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn due_messages_are_sent_once_and_failures_retried_later(pool: PgPool) {
    let (url, received) = smtp_server().await;
    let mailer = Mailer::new(&url, "Revdesk <no-reply@revdesk.test>").unwrap();
    for n in 0..10 {
        queue(
            &pool,
            &format!("person{n}@example.com"),
            &format!("Invitation {n}"),
        )
        .await;
    }
    queue(&pool, "bounce@example.com", "Will bounce").await;

    // Two servers' workers at once: SKIP LOCKED keeps them off each other's rows.
    let (a, b) = tokio::join!(deliver_due(&pool, &mailer), deliver_due(&pool, &mailer));
    let (a, b) = (a.unwrap(), b.unwrap());
    let messages = received.lock().unwrap().clone();
    println!(
        "mailer: 11 queued, two workers: sent {} + {}, failed {} + {}, received by the server {}",
        a.sent,
        b.sent,
        a.failed,
        b.failed,
        messages.len()
    );
    assert_eq!(a.sent + b.sent, 10);
    assert_eq!(messages.len(), 10, "every message exactly once");
    assert!(messages.iter().any(|m| m.contains("Subject: Invitation 7")));
    assert!(
        messages
            .iter()
            .all(|m| m.contains("From: Revdesk <no-reply@revdesk.test>"))
    );

    let (status, attempts, error, later): (String, i32, Option<String>, bool) = sqlx::query_as(
        "select status::text, attempts, last_error, send_after > now() from email_outbox where to_address = 'bounce@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap_or_default().contains("no such mailbox"));
    assert!(later, "retried later, not at once");
    let again = deliver_due(&pool, &mailer).await.unwrap();
    assert_eq!((again.sent, again.failed), (0, 0), "nothing is due");
    let sent: i64 = sqlx::query_scalar(
        "select count(*) from email_outbox where status = 'sent' and sent_at is not null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sent, 10);
}

#[test]
fn bad_settings_are_refused_with_a_clear_message() {
    let err = Mailer::new("ftp://example.com", "Revdesk <a@b.c>").unwrap_err();
    assert!(err.contains("REVDESK_SMTP_URL"), "{err}");
    let err = Mailer::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
    assert!(err.contains("REVDESK_MAIL_FROM"), "{err}");
}
