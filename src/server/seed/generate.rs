//! Deterministic generators of realistic rows, shared by the demo data and the scale
//! (benchmark) data. The same seed always gives the same names, statuses, values and
//! times relative to the moment of seeding.

use super::copy::Row;
use rand::rngs::StdRng;
use rand::{Rng, RngCore};
use time::OffsetDateTime;
use time::macros::format_description;
use uuid::Uuid;

const FIRST: &[&str] = &[
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lucía",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamar",
    "Umar",
    "Valentina",
    "Wen",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Carmen",
    "Diego",
    "Esther",
    "Felix",
    "Greta",
    "Hugo",
    "Ingrid",
    "Jonas",
    "Keiko",
];
const LAST: &[&str] = &[
    "Abara",
    "Becker",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Almeida",
    "Brennan",
    "Costa",
    "Duarte",
    "Evans",
    "Fontaine",
];
const COMPANY_A: &[&str] = &[
    "Blue", "Cedar", "Copper", "Delta", "Ember", "Granite", "Harbor", "Iron", "Juniper",
    "Keystone", "Lumen", "Maple", "North", "Orbit", "Pioneer", "Quartz", "River", "Summit",
    "Tidal", "Vertex", "Willow", "Zenith",
];
const COMPANY_B: &[&str] = &[
    "Analytics",
    "Logistics",
    "Health",
    "Robotics",
    "Foods",
    "Energy",
    "Labs",
    "Software",
    "Media",
    "Capital",
    "Systems",
    "Retail",
    "Freight",
    "Studios",
    "Dynamics",
    "Networks",
];
const COMPANY_C: &[&str] = &["Inc.", "Ltd", "GmbH", "LLC", "Co.", "Group", "SA", "BV"];
/// Job titles; the first few match the demo ICP profiles.
pub const TITLES: &[&str] = &[
    "Founder",
    "CEO",
    "Head of Sales",
    "VP Marketing",
    "Revenue Operations Manager",
    "CFO",
    "Operations Director",
    "Marketing Manager",
    "Sales Development Rep",
    "Account Executive",
    "Product Manager",
    "IT Manager",
    "Office Manager",
    "Growth Lead",
    "Partnerships Manager",
];
/// Industries; the first few match the demo ICP profiles.
pub const INDUSTRIES: &[&str] = &[
    "SaaS",
    "E-commerce",
    "Fintech",
    "Healthcare",
    "Logistics",
    "Manufacturing",
    "Education",
    "Media",
    "Hospitality",
    "Real estate",
];
pub const SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1000+"];
const PLACES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Lisbon", "PT"),
    ("Austin", "US"),
    ("Toronto", "CA"),
    ("Lagos", "NG"),
    ("Bangalore", "IN"),
    ("São Paulo", "BR"),
    ("Stockholm", "SE"),
    ("Osaka", "JP"),
    ("Melbourne", "AU"),
    ("Chicago", "US"),
    ("London", "GB"),
    ("Madrid", "ES"),
    ("Nairobi", "KE"),
];
const TAGS: &[&str] = &[
    "enterprise",
    "smb",
    "inbound",
    "event",
    "webinar",
    "trial",
    "churn-risk",
    "upsell",
    "vip",
];
const LOST_REASONS: &[&str] = &[
    "Chose a competitor",
    "No budget this year",
    "No response",
    "Not a fit",
    "Timing",
];

/// Statuses with rough real-world frequencies (most leads are early in the pipeline).
const STATUSES: &[(&str, u32)] = &[
    ("new", 26),
    ("contacted", 20),
    ("qualified", 13),
    ("proposal", 8),
    ("negotiation", 5),
    ("converted", 10),
    ("lost", 9),
    ("nurturing", 6),
    ("unqualified", 3),
];
const SOURCES: &[(&str, u32)] = &[
    ("manual", 20),
    ("referral", 18),
    ("campaign", 25),
    ("api", 12),
    ("import", 20),
    ("audit", 5),
];

/// The ids a tenant's generated rows may refer to.
#[derive(Clone, Debug, Default)]
pub struct TenantRefs {
    pub organization_id: Uuid,
    /// (user id, team id) of members who can own leads.
    pub owners: Vec<(Uuid, Option<Uuid>)>,
    /// (partner id, deal id) pairs.
    pub partners: Vec<(Uuid, Option<Uuid>)>,
    pub campaigns: Vec<Uuid>,
    pub funnels: Vec<Uuid>,
}

/// What the child generators need to know about a generated lead.
#[derive(Clone, Debug)]
pub struct LeadFacts {
    pub id: Uuid,
    pub status: &'static str,
    pub created: i64,
    pub owner: Option<Uuid>,
    pub partner: Option<(Uuid, Option<Uuid>)>,
    pub value_minor: i64,
    pub score: i16,
}

/// Formats unix seconds as a timestamptz literal.
pub fn ts(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]+00"
            ))
            .ok()
        })
        .unwrap_or_else(|| "1970-01-01 00:00:00+00".into())
}

/// A UUIDv7 for a moment, with random bits from the seeded generator: time-ordered like
/// the application's ids, and reproducible.
pub fn id_at(rng: &mut StdRng, unix: i64) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis((unix.max(0) as u64) * 1000, &bytes).into_uuid()
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn weighted(rng: &mut StdRng, items: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items[0].0
}

/// The columns `lead_row` writes, in order.
pub const LEAD_COLUMNS: &str = "organization_id, id, partner_id, deal_id, campaign_id, funnel_id, assignee_id, team_id, \
     first_name, last_name, email, phone, company, job_title, industry, company_size, city, country, status, source, \
     priority, currency, estimated_value_minor, actual_value_minor, score, score_confidence, conversion_probability, \
     engagement_level, lost_reason, tags, last_contacted_at, next_follow_up_at, converted_at, created_at, updated_at";

/// One lead created within `span_days` before `now`. `seq` makes the email unique.
pub fn lead_row(
    rng: &mut StdRng,
    refs: &TenantRefs,
    now: i64,
    span_days: i64,
    seq: u64,
    row: &mut Row,
) -> LeadFacts {
    let created = now - rng.random_range(0..span_days.max(1) * 86_400);
    let id = id_at(rng, created);
    let status = weighted(rng, STATUSES);
    let source = if refs.partners.is_empty() {
        "manual"
    } else {
        weighted(rng, SOURCES)
    };
    let partner = (source == "referral").then(|| pick(rng, &refs.partners));
    let campaign =
        (source == "campaign" && !refs.campaigns.is_empty()).then(|| pick(rng, &refs.campaigns));
    let funnel =
        (rng.random_bool(0.3) && !refs.funnels.is_empty()).then(|| pick(rng, &refs.funnels));
    let owner = (!refs.owners.is_empty() && rng.random_bool(0.85)).then(|| pick(rng, &refs.owners));
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let company = format!(
        "{} {} {}",
        pick(rng, COMPANY_A),
        pick(rng, COMPANY_B),
        pick(rng, COMPANY_C)
    );
    let domain: String = company
        .split(' ')
        .take(2)
        .collect::<String>()
        .to_lowercase();
    let email = format!(
        "{}.{}{}@{}.example",
        first.to_lowercase(),
        last.to_lowercase(),
        seq,
        domain
    )
    .replace(['é', 'í', 'á', 'ã'], "e");
    let (city, country) = pick(rng, PLACES);
    let value = rng.random_range(5..400) * 10_000;
    let score: i16 = match status {
        "converted" | "negotiation" => rng.random_range(65..98),
        "proposal" | "qualified" => rng.random_range(50..85),
        "lost" | "unqualified" => rng.random_range(5..40),
        _ => rng.random_range(15..70),
    };
    let priority = if score >= 70 {
        "hot"
    } else if score >= 40 {
        "warm"
    } else {
        "cold"
    };
    let engagement = match score {
        0..=24 => "none",
        25..=49 => "low",
        50..=74 => "medium",
        _ => "high",
    };
    let contacted =
        (status != "new").then(|| created + rng.random_range(3_600..(now - created).max(3_601)));
    let open = !matches!(status, "converted" | "lost" | "unqualified");
    let follow_up =
        (open && rng.random_bool(0.6)).then(|| now + rng.random_range(-5 * 86_400..14 * 86_400));
    let converted = (status == "converted")
        .then(|| (contacted.unwrap_or(created) + rng.random_range(86_400..20 * 86_400)).min(now));
    let tags: Vec<&str> = (0..rng.random_range(0..3))
        .map(|_| pick(rng, TAGS))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    row.val(refs.organization_id)
        .val(id)
        .opt(partner.map(|p| p.0))
        .opt(partner.and_then(|p| p.1))
        .opt(campaign)
        .opt(funnel)
        .opt(owner.map(|o| o.0))
        .opt(owner.and_then(|o| o.1))
        .text(first)
        .text(last)
        .text(&email)
        .text(&format!("+1 555 {:04}", seq % 10_000))
        .text(&company)
        .text(pick(rng, TITLES))
        .text(pick(rng, INDUSTRIES))
        .text(pick(rng, SIZES))
        .text(city)
        .text(country)
        .val(status)
        .val(source)
        .val(priority)
        .val("USD")
        .val(value)
        .opt((status == "converted").then(|| value * rng.random_range(80..120) / 100))
        .val(score)
        .val(rng.random_range(40..95))
        .val(score as i32 * 80)
        .val(engagement)
        .opt_text((status == "lost").then(|| pick(rng, LOST_REASONS)))
        .text_array(&tags)
        .opt(contacted.map(ts))
        .opt(follow_up.map(ts))
        .opt(converted.map(ts))
        .val(ts(created))
        .val(ts(contacted.unwrap_or(created)));
    LeadFacts {
        id,
        status,
        created,
        owner: owner.map(|o| o.0),
        partner,
        value_minor: value,
        score,
    }
}

/// The columns `journey_rows` writes.
pub const JOURNEY_COLUMNS: &str =
    "organization_id, id, lead_id, kind, detail, actor_id, occurred_at";

const JOURNEY_KINDS: &[&str] = &[
    "page_view",
    "form_submitted",
    "email_opened",
    "email_clicked",
    "meeting_booked",
    "pricing_viewed",
];

/// `count` timeline events for a lead: creation first, then touches, then its status.
pub fn journey_rows(
    rng: &mut StdRng,
    org: Uuid,
    lead: &LeadFacts,
    now: i64,
    count: usize,
    out: &mut Vec<Row>,
) {
    let span = (now - lead.created).max(60);
    for i in 0..count {
        let at = if i == 0 {
            lead.created
        } else {
            lead.created + rng.random_range(60..span.max(61))
        };
        let (kind, detail) = if i == 0 {
            ("created", "{}".to_owned())
        } else if i == count - 1 && lead.status != "new" {
            ("status_changed", format!(r#"{{"to": "{}"}}"#, lead.status))
        } else {
            let k = pick(rng, JOURNEY_KINDS);
            (
                k,
                format!(
                    r#"{{"path": "/{}"}}"#,
                    if k == "pricing_viewed" {
                        "pricing"
                    } else {
                        "blog"
                    }
                ),
            )
        };
        let mut row = Row::new();
        row.val(org)
            .val(id_at(rng, at))
            .val(lead.id)
            .val(kind)
            .text(&detail)
            .opt(lead.owner.filter(|_| kind == "status_changed"))
            .val(ts(at));
        out.push(row);
    }
}
