//! What the dashboard, billing and portal pages show.

use crate::access::model::{LeadScope, MemberRole};
use crate::leads::model::{LeadSource, LeadStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An amount of money in minor units with its currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents).
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// `USD 1,234.50`.
    pub fn display(&self) -> String {
        // One allocation (the list shows one per row): the digits are grouped from a
        // buffer on the stack instead of through `to_string` and `format!`.
        let abs = self.minor.unsigned_abs();
        let (mut whole, cents) = (abs / 100, (abs % 100) as u8);
        let mut digits = [0u8; 20];
        let mut len = 0;
        loop {
            digits[len] = b'0' + (whole % 10) as u8;
            whole /= 10;
            len += 1;
            if whole == 0 {
                break;
            }
        }
        let mut out = String::with_capacity(self.currency.len() + len + len / 3 + 5);
        out.push_str(&self.currency);
        out.push(' ');
        if self.minor < 0 {
            out.push('-');
        }
        for i in (0..len).rev() {
            out.push(char::from(digits[i]));
            if i > 0 && i % 3 == 0 {
                out.push(',');
            }
        }
        out.push('.');
        out.push(char::from(b'0' + cents / 10));
        out.push(char::from(b'0' + cents % 10));
        out
    }
}

/// The dashboard of a staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The organization's name.
    pub organization: String,
    /// The viewer's role.
    pub role: MemberRole,
    /// Their record scope.
    pub lead_scope: LeadScope,
    /// Leads the viewer can see, counted up to [`Dashboard::COUNT_CAP`].
    pub visible_leads: i64,
    /// Of those, still open (not converted, lost or unqualified).
    pub open_leads: i64,
    /// Follow-ups due today or overdue, within scope.
    pub follow_ups_due: i64,
    /// Active members.
    pub members: i64,
    /// Leads created in the last 30 days, within scope.
    pub new_30d: i64,
    /// Of the leads created in the last 90 days, the share converted, in basis points
    /// (`None` when there were none).
    pub conversion_bp: Option<i64>,
    /// Open pipeline by status: (status, count, estimated value).
    pub pipeline: Vec<(LeadStatus, i64, Money)>,
    /// Where the last 90 days' leads came from, most first.
    pub top_sources: Vec<(LeadSource, i64)>,
    /// The newest open insights: (lead id, lead name, title).
    pub insights: Vec<(Uuid, String, String)>,
    /// Today, 30 and 90 days ago (`YYYY-MM-DD`, the database's date), for the links.
    pub dates: (String, String, String),
}

impl Dashboard {
    /// Counts stop here, so a dashboard never scans a whole large tenant.
    pub const COUNT_CAP: i64 = 10_000;

    /// A count as shown: exact below the cap (`9,999`), `10,000+` at it.
    pub fn count(n: i64) -> String {
        if n >= Self::COUNT_CAP {
            "10,000+".to_owned()
        } else {
            crate::leads::model::group(n)
        }
    }
}

/// One invoice line of the billing overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    /// The invoice number.
    pub number: String,
    /// `draft`, `open`, `paid`, `void`, `uncollectible`.
    pub status: String,
    /// Its total.
    pub total: Money,
    /// When it was issued (a date).
    pub issued_on: Option<String>,
}

/// The billing overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// The plan's name, if subscribed.
    pub plan: Option<String>,
    /// The plan's price per interval.
    pub price: Option<Money>,
    /// The subscription's status.
    pub status: Option<String>,
    /// When the current period ends (a date).
    pub renews_on: Option<String>,
    /// Credits available now.
    pub credit_balance: i64,
    /// The latest invoices, newest first.
    pub invoices: Vec<InvoiceSummary>,
}

/// The partner portal's summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Portal {
    /// The partner's name.
    pub partner: String,
    /// Their referral code.
    pub referral_code: String,
    /// Leads they referred.
    pub referred_leads: i64,
    /// Of those, converted.
    pub converted_leads: i64,
    /// Commissions not yet approved.
    pub pending: Money,
    /// Commissions approved, not yet paid.
    pub approved: Money,
    /// Commissions paid out.
    pub paid: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_signed() {
        let m = |minor| Money {
            minor,
            currency: "USD".into(),
        };
        assert_eq!(m(123456789).display(), "USD 1,234,567.89");
        assert_eq!(m(5).display(), "USD 0.05");
        assert_eq!(m(-100000).display(), "USD -1,000.00");
        assert_eq!(m(0).display(), "USD 0.00");
        assert_eq!(m(99999).display(), "USD 999.99");
        assert_eq!(m(100000000).display(), "USD 1,000,000.00");
        assert_eq!(m(i64::MIN).display(), "USD -92,233,720,368,547,758.08");
    }

    #[test]
    fn counts_stop_at_the_cap() {
        assert_eq!(Dashboard::count(9_999), "9,999");
        assert_eq!(Dashboard::count(458), "458");
        assert_eq!(Dashboard::count(10_000), "10,000+");
    }
}
