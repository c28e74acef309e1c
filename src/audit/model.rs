//! Audit log entries and the filter of the audit page.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The filter and position of the audit page, as in its address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Part of the actor's email address.
    pub actor: Option<String>,
    /// An action (`member.removed`) or its first part (`member`).
    pub action: Option<String>,
    /// An entity type (`member`, `invitation`).
    pub entity: Option<String>,
    /// From this date (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    /// Up to this date (`YYYY-MM-DD`, inclusive).
    pub to: Option<String>,
    /// The keyset cursor: entries older than this one.
    pub before: Option<String>,
}

impl AuditQuery {
    /// The query string for this filter with a different cursor.
    pub fn to_query(&self, before: Option<&str>) -> String {
        let pairs = [
            ("actor", self.actor.as_deref()),
            ("action", self.action.as_deref()),
            ("entity", self.entity.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("before", before),
        ];
        crate::shell::query_string(&pairs)
    }
}

/// One audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its id.
    pub id: Uuid,
    /// When (RFC 3339).
    pub at: String,
    /// The actor's email, if a person.
    pub actor: Option<String>,
    /// Whether a platform admin acted through a support session.
    pub via_support: bool,
    /// What happened.
    pub action: String,
    /// To what kind of thing.
    pub entity_type: String,
    /// To which one.
    pub entity_id: Option<String>,
    /// The state before (JSON).
    pub before: Option<String>,
    /// The state after, or the detail (JSON).
    pub after: Option<String>,
    /// The client address.
    pub ip: Option<String>,
}

/// One page of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next (older) page, if there is one.
    pub next: Option<String>,
}

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_keep_the_filter_and_move_the_cursor() {
        let q = AuditQuery {
            actor: Some("ann@x.com".into()),
            action: Some("".into()),
            ..AuditQuery::default()
        };
        assert_eq!(q.to_query(Some("c1")), "actor=ann%40x.com&before=c1");
        assert_eq!(q.to_query(None), "actor=ann%40x.com");
    }
}
