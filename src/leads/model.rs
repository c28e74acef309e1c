//! Leads as pages and forms see them: statuses, the list's filter and sort (its whole
//! state lives in the address), rows, the detail and the edit form.

use crate::org::model::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An enum whose values have a key (addresses, forms, the database) and a label.
macro_rules! key_enum {
    ($(#[$meta:meta])* $name:ident, [$($variant:ident => $key:literal, $label:literal),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order pickers list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value in addresses, forms and the database.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The name people read.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses an address or form value.
            pub fn parse(key: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

key_enum!(
    /// Where a lead is in the pipeline.
    #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
    #[cfg_attr(feature = "ssr", sqlx(type_name = "lead_status", rename_all = "snake_case"))]
    LeadStatus, [
        New => "new", "New",
        Contacted => "contacted", "Contacted",
        Qualified => "qualified", "Qualified",
        Proposal => "proposal", "Proposal",
        Negotiation => "negotiation", "Negotiation",
        Converted => "converted", "Converted",
        Lost => "lost", "Lost",
        Nurturing => "nurturing", "Nurturing",
        Unqualified => "unqualified", "Unqualified",
    ]
);

key_enum!(
    /// How a lead came in.
    #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
    #[cfg_attr(feature = "ssr", sqlx(type_name = "lead_source", rename_all = "snake_case"))]
    LeadSource, [
        Audit => "audit", "Audit",
        Manual => "manual", "Manual",
        Referral => "referral", "Referral",
        Campaign => "campaign", "Campaign",
        Api => "api", "API",
        Import => "import", "Import",
    ]
);

key_enum!(
    /// How urgent a lead is.
    #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
    #[cfg_attr(feature = "ssr", sqlx(type_name = "lead_priority", rename_all = "snake_case"))]
    LeadPriority, [
        Hot => "hot", "Hot",
        Warm => "warm", "Warm",
        Cold => "cold", "Cold",
    ]
);

key_enum!(
    /// What a logged activity was.
    #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
    #[cfg_attr(feature = "ssr", sqlx(type_name = "activity_kind", rename_all = "snake_case"))]
    ActivityKind, [
        Note => "note", "Note",
        Call => "call", "Call",
        Email => "email", "Email",
        Meeting => "meeting", "Meeting",
        Demo => "demo", "Demo",
        Proposal => "proposal", "Proposal",
        FollowUp => "follow_up", "Follow-up",
        Task => "task", "Task",
    ]
);

impl LeadStatus {
    /// Whether the lead is still being worked.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            LeadStatus::Converted | LeadStatus::Lost | LeadStatus::Unqualified
        )
    }
}

key_enum!(
    /// The columns the list can be sorted by.
    SortKey, [
        Created => "created", "Created",
        Name => "name", "Name",
        Company => "company", "Company",
        Status => "status", "Status",
        Score => "score", "Score",
        Value => "value", "Estimated value",
        FollowUp => "follow_up", "Next follow-up",
    ]
);

/// The state of the leads list, exactly as in its address: filters, search, sort and
/// position. Every field is optional text, so any bookmarked address parses; values are
/// checked when the query runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadQuery {
    /// Full-text search over name, email, company and job title.
    pub q: Option<String>,
    /// Substring of the email or company.
    pub contains: Option<String>,
    /// Status key.
    pub status: Option<String>,
    /// Source key.
    pub source: Option<String>,
    /// Priority key.
    pub priority: Option<String>,
    /// Assignee: a user id, `me` or `none`.
    pub assignee: Option<String>,
    /// Team id.
    pub team: Option<String>,
    /// Partner id.
    pub partner: Option<String>,
    /// Campaign id.
    pub campaign: Option<String>,
    /// One tag.
    pub tag: Option<String>,
    /// Created on or after (`YYYY-MM-DD`).
    pub created_from: Option<String>,
    /// Created on or before (`YYYY-MM-DD`).
    pub created_to: Option<String>,
    /// Follow-up on or after (`YYYY-MM-DD`).
    pub follow_up_from: Option<String>,
    /// Follow-up on or before (`YYYY-MM-DD`).
    pub follow_up_to: Option<String>,
    /// Sort key (see [`SortKey`]).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// Keyset cursor: rows after this one.
    pub after: Option<String>,
    /// Keyset cursor: rows before this one.
    pub before: Option<String>,
}

impl LeadQuery {
    /// How many of [`LeadQuery::pairs`], from the first, are filters and searches; the
    /// sort and the cursors follow them.
    const FILTERS: usize = 14;

    /// Every parameter with its address name, set or not.
    pub fn pairs(&self) -> [(&'static str, Option<&str>); 18] {
        [
            ("q", self.q.as_deref()),
            ("contains", self.contains.as_deref()),
            ("status", self.status.as_deref()),
            ("source", self.source.as_deref()),
            ("priority", self.priority.as_deref()),
            ("assignee", self.assignee.as_deref()),
            ("team", self.team.as_deref()),
            ("partner", self.partner.as_deref()),
            ("campaign", self.campaign.as_deref()),
            ("tag", self.tag.as_deref()),
            ("created_from", self.created_from.as_deref()),
            ("created_to", self.created_to.as_deref()),
            ("follow_up_from", self.follow_up_from.as_deref()),
            ("follow_up_to", self.follow_up_to.as_deref()),
            ("sort", self.sort.as_deref()),
            ("dir", self.dir.as_deref()),
            ("after", self.after.as_deref()),
            ("before", self.before.as_deref()),
        ]
    }

    /// Builds a query from address parameters.
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<String> + 'a) -> LeadQuery {
        LeadQuery {
            q: get("q"),
            contains: get("contains"),
            status: get("status"),
            source: get("source"),
            priority: get("priority"),
            assignee: get("assignee"),
            team: get("team"),
            partner: get("partner"),
            campaign: get("campaign"),
            tag: get("tag"),
            created_from: get("created_from"),
            created_to: get("created_to"),
            follow_up_from: get("follow_up_from"),
            follow_up_to: get("follow_up_to"),
            sort: get("sort"),
            dir: get("dir"),
            after: get("after"),
            before: get("before"),
        }
    }

    /// The query string (without `?`), leaving out empty values.
    pub fn to_query(&self) -> String {
        crate::shell::query_string(&self.pairs())
    }

    /// The same filter and sort, from the first page.
    pub fn first_page(&self) -> LeadQuery {
        LeadQuery {
            after: None,
            before: None,
            ..self.clone()
        }
    }

    /// The same filter, sorted by `key` (flipping the direction when already sorted by
    /// it), from the first page.
    pub fn sorted_by(&self, key: SortKey) -> LeadQuery {
        let (current, dir) = self.sort_order();
        let dir = if current == key {
            if dir == "desc" { "asc" } else { "desc" }
        } else if matches!(key, SortKey::Name | SortKey::Company | SortKey::FollowUp) {
            "asc"
        } else {
            "desc"
        };
        LeadQuery {
            sort: Some(key.key().to_owned()),
            dir: Some(dir.to_owned()),
            ..self.first_page()
        }
    }

    /// The sort key and direction in force (default: newest first).
    pub fn sort_order(&self) -> (SortKey, &'static str) {
        let key = self
            .sort
            .as_deref()
            .and_then(SortKey::parse)
            .unwrap_or(SortKey::Created);
        let dir = match self.dir.as_deref() {
            Some("asc") => "asc",
            _ => "desc",
        };
        (key, dir)
    }

    /// How many filters past the first row of the list's form (search, substring,
    /// status, assignee) are set: the form folds those away while none is.
    pub fn folded_filters_set(&self) -> usize {
        self.filters_set()
            .filter(|key| !matches!(*key, "q" | "contains" | "status" | "assignee"))
            .count()
    }

    /// Whether any filter or search is set.
    pub fn is_filtered(&self) -> bool {
        self.filters_set().next().is_some()
    }

    /// The names of the filters and searches that are set: the first
    /// [`LeadQuery::FILTERS`] of [`LeadQuery::pairs`], with more than blanks.
    fn filters_set(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.pairs()
            .into_iter()
            .take(Self::FILTERS)
            .filter(|(_, v)| v.is_some_and(|v| !v.trim().is_empty()))
            .map(|(key, _)| key)
    }
}

/// How many leads match: exact up to the cap, else "at least the cap".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchCount {
    /// Exactly this many.
    Exact(i64),
    /// More than [`COUNT_CAP`].
    AtLeast(i64),
}

/// The list never counts past this many rows per page view.
pub const COUNT_CAP: i64 = 10_000;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

impl MatchCount {
    /// `1 lead`, `237 leads`, `10,000+ leads`.
    pub fn label(self) -> String {
        match self {
            MatchCount::Exact(1) => "1 lead".to_owned(),
            MatchCount::Exact(n) => format!("{} leads", group(n)),
            MatchCount::AtLeast(n) => format!("{}+ leads", group(n)),
        }
    }
}

/// `12345` → `12,345`.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// One row of the leads list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadRow {
    /// The lead's id.
    pub id: Uuid,
    /// First and last name.
    pub name: String,
    /// Email address.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Pipeline status.
    pub status: LeadStatus,
    /// Priority.
    pub priority: LeadPriority,
    /// Latest score, 0-100.
    pub score: i16,
    /// Estimated deal value.
    pub value: Option<Money>,
    /// Assignee's name.
    pub assignee: Option<String>,
    /// Created (a date).
    pub created_on: String,
    /// Next follow-up (a date).
    pub follow_up_on: Option<String>,
}

/// One page of the leads list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPage {
    /// The rows.
    pub rows: Vec<LeadRow>,
    /// How many match the filter.
    pub count: MatchCount,
    /// Cursor of the next page.
    pub next: Option<String>,
    /// Cursor of the previous page.
    pub prev: Option<String>,
    /// Members leads can be assigned to, for the filter and the bulk bar.
    pub assignees: Vec<(Uuid, String)>,
    /// The organization's teams, partners and campaigns, for the filter.
    pub choices: FilterChoices,
    /// The viewer's saved views: (id, name, query string).
    pub views: Vec<(Uuid, String, String)>,
    /// What the viewer may do from the list.
    pub can: LeadAbilities,
}

/// What the list's team, partner and campaign filters offer: (id, name), by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    /// Every team.
    pub teams: Vec<(Uuid, String)>,
    /// Partners not archived, and the one filtered by even if it is.
    pub partners: Choices,
    /// Campaigns, and the one filtered by.
    pub campaigns: Choices,
}

/// A filter's choices are listed only up to this many; past it the filter is a text field
/// (part of the name), since a select of thousands of partners is neither usable nor
/// cheap to send on every page of the list.
pub const CHOICES_CAP: usize = 100;

/// The choices of a filter whose records an organization can have thousands of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    /// The first [`CHOICES_CAP`] by name.
    pub listed: Vec<(Uuid, String)>,
    /// Whether there are more than [`CHOICES_CAP`].
    pub more: bool,
    /// The one the filter holds, by id, whether or not it is listed.
    pub picked: Option<(Uuid, String)>,
}

impl Choices {
    /// Adds a row of the choices' statement (by name, the picked one flagged): listed
    /// rows up to the cap, then only the mark that there are more.
    pub fn push(&mut self, id: Uuid, name: String, picked: bool) {
        if picked {
            self.picked = Some((id, name));
        } else if self.listed.len() < CHOICES_CAP {
            self.listed.push((id, name));
        } else {
            self.more = true;
        }
    }

    /// What a select offers when they are all listed: the listed ones and the picked
    /// one (an archived partner, say), by name.
    pub fn options(&self) -> Vec<(Uuid, String)> {
        let mut all = self.listed.clone();
        if let Some(p) = &self.picked
            && !all.iter().any(|(id, _)| *id == p.0)
        {
            let at = all.partition_point(|(id, name)| (name, id) < (&p.1, &p.0));
            all.insert(at, p.clone());
        }
        all
    }
}

/// What the viewer may do from the leads list, so it offers only those actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadAbilities {
    /// Create and edit leads.
    pub write: bool,
    /// Assign leads to members.
    pub assign: bool,
    /// Import a CSV file.
    pub import: bool,
    /// Export the filter as CSV.
    pub export: bool,
}

/// One entry of a lead's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// When (RFC 3339).
    pub at: String,
    /// `activity`, `conversation` or `event`.
    pub source: String,
    /// The headline (`Call: intro`, `Status changed to qualified`).
    pub title: String,
    /// More text, if any.
    pub body: Option<String>,
    /// Who did it.
    pub actor: Option<String>,
}

/// The partner deal a lead came in under, as the detail page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealSummary {
    /// The deal's name.
    pub name: String,
    /// What it pays, in words (`10 % of each sale, after 30 days`).
    pub terms: String,
}

/// How far a lead got in one funnel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelProgress {
    /// The funnel's name.
    pub name: String,
    /// Its steps in order, each with the day the lead first reached it (`YYYY-MM-DD`).
    pub steps: Vec<(String, Option<String>)>,
}

impl FunnelProgress {
    /// How many of its steps the lead reached.
    pub fn reached(&self) -> usize {
        self.steps.iter().filter(|(_, at)| at.is_some()).count()
    }
}

/// A deal's commission in words: `rate` is basis points for `percentage` and minor
/// units of `currency` for `fixed`; `trigger` is `lead`, `sale` or `subscription`.
pub fn deal_terms(
    kind: &str,
    rate: i64,
    currency: &str,
    trigger: &str,
    holding_days: i32,
) -> String {
    let amount = if kind == "percentage" {
        let percent = format!("{}.{:02}", rate / 100, rate % 100);
        let percent = percent.trim_end_matches('0').trim_end_matches('.');
        format!("{percent} %")
    } else {
        crate::org::model::Money {
            minor: rate,
            currency: currency.to_owned(),
        }
        .display()
    };
    let of = match (kind, trigger) {
        ("percentage", "lead") => "of each lead's value",
        ("percentage", "subscription") => "of each subscription payment",
        ("percentage", _) => "of each sale",
        (_, "lead") => "per lead",
        (_, "subscription") => "per subscription",
        _ => "per sale",
    };
    match holding_days {
        0 => format!("{amount} {of}"),
        1 => format!("{amount} {of}, after 1 day"),
        n => format!("{amount} {of}, after {n} days"),
    }
}

/// Everything the detail page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDetail {
    /// The lead's id.
    pub id: Uuid,
    /// Its version, for optimistic locking.
    pub version: i32,
    /// The editable fields.
    pub form: LeadForm,
    /// The estimated value with its currency, as the list shows it (the form has the
    /// amount alone).
    pub value: Option<Money>,
    /// Pipeline status.
    pub status: LeadStatus,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// How it came in.
    pub source: LeadSource,
    /// Latest score and confidence.
    pub score: i16,
    /// Confidence of the score, 0-100.
    pub score_confidence: i16,
    /// Assignee id and name.
    pub assignee: Option<(Uuid, String)>,
    /// The referring partner: id and name.
    pub partner: Option<(Uuid, String)>,
    /// The campaign: id and name.
    pub campaign: Option<(Uuid, String)>,
    /// The partner deal it came in under (for viewers who may read partners).
    pub deal: Option<DealSummary>,
    /// Its progress through each funnel it entered (its own funnel first).
    pub funnels: Vec<FunnelProgress>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Merged timeline, newest first.
    pub timeline: Vec<TimelineItem>,
    /// Members it can be assigned to.
    pub assignees: Vec<(Uuid, String)>,
    /// Why the lead has its score (the latest stored computation).
    pub explanation: Option<ScoreExplanation>,
    /// Score history, oldest first: (date, score).
    pub history: Vec<(String, i16)>,
    /// Open insights: (title, what to do).
    pub insights: Vec<(String, String)>,
    /// Whether the viewer may edit, assign.
    pub can_write: bool,
    /// Whether the viewer may assign.
    pub can_assign: bool,
}

/// The reasons behind a lead's score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreExplanation {
    /// Sub-scores (name, 0-100): demographic, behavioural, temporal, conversational.
    pub parts: Vec<(String, i16)>,
    /// Each reason with its points (`+18: job title matches ICP …`), largest first.
    pub factors: Vec<String>,
    /// When it was computed (RFC 3339).
    pub computed_at: String,
}

/// The fields a person edits. Text as typed; the server parses and validates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadForm {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: String,
    /// Company.
    pub company: String,
    /// Job title.
    pub job_title: String,
    /// Priority key.
    pub priority: String,
    /// Estimated value in major units (`12500` or `12,500.00`).
    pub estimated_value: String,
    /// Comma-separated tags.
    pub tags: String,
    /// Next follow-up date (`YYYY-MM-DD`).
    pub next_follow_up: String,
}

/// Parses a money amount typed in major units into minor units.
pub fn parse_amount(text: &str) -> Result<Option<i64>, &'static str> {
    let text = text.trim().replace([',', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    let bad = "Enter an amount like 12500 or 12500.50.";
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text.as_str(), ""),
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2 {
        return Err(bad);
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad);
    }
    let whole: i64 = whole.parse().map_err(|_| bad)?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad)?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .filter(|v| *v <= 1_000_000_000_000)
        .map(Some)
        .ok_or("That amount is too large.")
}

/// Splits comma-separated tags: trimmed, lowercase, unique, at most 20 of 40 characters.
pub fn parse_tags(text: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(|t| t.trim().to_lowercase()) {
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > 40 {
            return Err("Tags are at most 40 characters each.");
        }
        tags.push(tag);
    }
    if tags.len() > 20 {
        return Err("Use at most 20 tags.");
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_folded_filters_count_as_folded() {
        let query = LeadQuery::from_pairs(|k| match k {
            "q" | "status" | "sort" => Some("x".into()),
            "partner" | "created_to" => Some("y".into()),
            "tag" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(query.folded_filters_set(), 2);
        assert_eq!(LeadQuery::default().folded_filters_set(), 0);
    }

    #[test]
    fn deal_terms_say_the_rate_the_trigger_and_the_wait() {
        assert_eq!(
            deal_terms("percentage", 1000, "USD", "sale", 30),
            "10 % of each sale, after 30 days"
        );
        assert_eq!(
            deal_terms("percentage", 1250, "USD", "subscription", 1),
            "12.5 % of each subscription payment, after 1 day"
        );
        assert_eq!(
            deal_terms("percentage", 5, "USD", "sale", 0),
            "0.05 % of each sale"
        );
        assert_eq!(
            deal_terms("fixed", 25_000, "EUR", "lead", 0),
            "EUR 250.00 per lead"
        );
    }

    #[test]
    fn funnel_progress_counts_the_steps_reached() {
        let progress = FunnelProgress {
            name: "Audit".into(),
            steps: vec![
                ("Landing".into(), Some("2026-11-01".into())),
                ("Opt-in".into(), Some("2026-11-02".into())),
                ("Call".into(), None),
            ],
        };
        assert_eq!(progress.reached(), 2);
    }

    #[test]
    fn amounts_parse_to_minor_units() {
        assert_eq!(parse_amount("12,500"), Ok(Some(1_250_000)));
        assert_eq!(parse_amount("12500.5"), Ok(Some(1_250_050)));
        assert_eq!(parse_amount(" "), Ok(None));
        for bad in ["-5", "1.234", "abc", "1e9", ".5"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert!(parse_amount("99999999999999").is_err());
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            parse_tags("VIP, expansion,vip, ,"),
            Ok(vec!["vip".into(), "expansion".into()])
        );
        assert!(parse_tags(&"x".repeat(41)).is_err());
        assert!(parse_tags(&(0..21).map(|i| i.to_string()).collect::<Vec<_>>().join(",")).is_err());
    }

    #[test]
    fn sorting_flips_direction_and_restarts_paging() {
        let q = LeadQuery {
            q: Some("acme".into()),
            after: Some("x".into()),
            ..LeadQuery::default()
        };
        let by_score = q.sorted_by(SortKey::Score);
        assert_eq!(by_score.sort_order(), (SortKey::Score, "desc"));
        assert_eq!(by_score.after, None);
        assert_eq!(
            by_score.sorted_by(SortKey::Score).sort_order(),
            (SortKey::Score, "asc")
        );
        assert_eq!(
            q.sorted_by(SortKey::Name).sort_order(),
            (SortKey::Name, "asc")
        );
        assert_eq!(by_score.to_query(), "q=acme&sort=score&dir=desc");
        assert!(q.is_filtered());
        assert!(!LeadQuery::default().is_filtered());
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(MatchCount::Exact(1).label(), "1 lead");
        assert_eq!(MatchCount::Exact(1234).label(), "1,234 leads");
        assert_eq!(MatchCount::AtLeast(10_000).label(), "10,000+ leads");
    }
}

/// Most leads one bulk action changes: beyond it, the filter must be narrowed.
pub const BULK_LIMIT: i64 = 1_000;

/// The bulk-action form of the leads list, as posted (`bulk[…]`); the server parses it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    /// The list's filter (for `target=filter`, and to return to the same view).
    pub query: LeadQuery,
    /// The ticked leads (for `target=selected`).
    pub ids: Vec<Uuid>,
    /// `selected` or `filter`.
    pub target: String,
    /// `assign`, `status`, `tag`, `delete` or `export`.
    pub action: String,
    /// The member to assign to (empty: nobody).
    pub assignee: Option<String>,
    /// The status to move to.
    pub status: Option<String>,
    /// The tag to add.
    pub tag: Option<String>,
    /// `delete`, confirming a deletion.
    pub confirm: Option<String>,
}

/// The statuses the board shows, in pipeline order. Lost and unqualified leads leave the
/// board through the detail page, where a reason is asked for.
pub const BOARD_STATUSES: [LeadStatus; 7] = [
    LeadStatus::New,
    LeadStatus::Contacted,
    LeadStatus::Qualified,
    LeadStatus::Proposal,
    LeadStatus::Negotiation,
    LeadStatus::Nurturing,
    LeadStatus::Converted,
];

/// Cards shown per board column (the newest); the totals count them all.
pub const BOARD_CARDS: i64 = 20;

/// One card of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCard {
    /// The lead's id.
    pub id: Uuid,
    /// Its version (moves are optimistic edits too).
    pub version: i32,
    /// Its name.
    pub name: String,
    /// Its company.
    pub company: Option<String>,
    /// Its score.
    pub score: i16,
    /// Its estimated value.
    pub value: Option<Money>,
}

/// One column of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardColumn {
    /// The status it stands for.
    pub status: LeadStatus,
    /// Leads in it (all, not just the cards shown).
    pub count: i64,
    /// Their estimated value, summed.
    pub value: Money,
    /// The newest cards.
    pub cards: Vec<BoardCard>,
}
