//! What the platform console shows.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One tenant in the console's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    /// The organization's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its URL segment.
    pub slug: String,
    /// `active`, `suspended` or `cancelled`.
    pub status: String,
    /// The live plan's name.
    pub plan: Option<String>,
    /// Active members.
    pub members: i64,
    /// When it was created (a date).
    pub created_on: String,
    /// The newest audit entry (RFC 3339).
    pub last_activity: Option<String>,
    /// The viewer's open support session here, until (RFC 3339).
    pub support_until: Option<String>,
}

/// Minutes a support session may last at most.
pub const MAX_SUPPORT_MINUTES: i64 = 240;

/// One message of the email outbox, for operators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its id.
    pub id: Uuid,
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When it was queued (RFC 3339).
    pub created_at: String,
}
