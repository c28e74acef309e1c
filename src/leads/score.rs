//! The explainable lead score: a deterministic model with four sub-scores (demographic
//! fit against the organization's ICP profiles, behavioural engagement, temporal recency
//! and follow-up, conversational signals), combined into 0-100 with a confidence. Every
//! point comes with a reason a person can read ("+18: job title matches ICP 'Scaling
//! SaaS founder'"). Pure: the same inputs always give the same score, so it is unit
//! tested here and recomputed by the server whenever an input changes.

use serde::{Deserialize, Serialize};

/// The model's version, stored with every score.
pub const MODEL_VERSION: &str = "rules-1";

/// How much each sub-score weighs in the total (sums to 100).
pub const WEIGHTS: Weights = Weights {
    demographic: 30,
    behavioral: 30,
    temporal: 20,
    conversational: 20,
};

/// Weights of the four sub-scores, in percent.
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    /// Fit with the ideal customer profiles.
    pub demographic: i32,
    /// Activities and journey events.
    pub behavioral: i32,
    /// Recency and follow-up discipline.
    pub temporal: i32,
    /// What the lead wrote.
    pub conversational: i32,
}

/// An ideal customer profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Icp {
    /// Its name.
    pub name: String,
    /// Industries that fit (case-insensitive).
    pub industries: Vec<String>,
    /// Job titles that fit (a title fits when it contains one, case-insensitive).
    pub job_titles: Vec<String>,
    /// Company sizes that fit (`11-50`, …).
    pub company_sizes: Vec<String>,
    /// Countries that fit (ISO codes).
    pub countries: Vec<String>,
    /// Importance, 0-100.
    pub weight: i32,
}

/// Everything the score depends on. Ages are in whole days before "now".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The lead's job title.
    pub job_title: Option<String>,
    /// Its industry.
    pub industry: Option<String>,
    /// Its company size.
    pub company_size: Option<String>,
    /// Its country.
    pub country: Option<String>,
    /// Its email address.
    pub email: Option<String>,
    /// Its status key.
    pub status: String,
    /// The organization's active ICP profiles.
    pub icps: Vec<Icp>,
    /// Meetings and demos in the last 30 days.
    pub meetings_30d: i64,
    /// Calls in the last 30 days.
    pub calls_30d: i64,
    /// Emails and other logged touches in the last 30 days.
    pub touches_30d: i64,
    /// Journey events in the last 14 days by kind (`meeting_booked`, `form_submitted`, …).
    pub events_14d: Vec<(String, i64)>,
    /// Days since the last contact either way (activity, message or event).
    pub days_since_touch: Option<i64>,
    /// Days since the lead last wrote.
    pub days_since_inbound: Option<i64>,
    /// Days since we last wrote.
    pub days_since_outbound: Option<i64>,
    /// Days until the next follow-up (negative: overdue).
    pub days_to_follow_up: Option<i64>,
    /// Messages from the lead in the last 30 days.
    pub inbound_30d: i64,
    /// Signals found in their messages (`pricing`, `budget`, `timeline`, `competitor`,
    /// `not_interested`, …).
    pub signals: Vec<String>,
}

/// One reason for points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Points this adds to (or takes from) the total score.
    pub points: i32,
    /// Which sub-score it belongs to.
    pub area: String,
    /// Why, in words.
    pub reason: String,
}

impl Factor {
    /// `+18: job title matches ICP 'Scaling SaaS founder'`.
    pub fn label(&self) -> String {
        format!("{:+}: {}", self.points, self.reason)
    }
}

/// A computed score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// 0-100.
    pub score: i32,
    /// How much the model knows about the lead, 0-100.
    pub confidence: i32,
    /// Sub-scores, each 0-100.
    pub demographic: i32,
    /// Behavioural engagement, 0-100.
    pub behavioral: i32,
    /// Recency and follow-up, 0-100.
    pub temporal: i32,
    /// Conversational signals, 0-100.
    pub conversational: i32,
    /// The reasons, largest effect first.
    pub factors: Vec<Factor>,
}

/// Raw points within one sub-score, each with its reason.
struct Area {
    name: &'static str,
    weight: i32,
    base: i32,
    items: Vec<(i32, String)>,
}

impl Area {
    fn new(name: &'static str, weight: i32, base: i32) -> Area {
        Area {
            name,
            weight,
            base,
            items: Vec::new(),
        }
    }

    fn add(&mut self, points: i32, reason: impl Into<String>) {
        self.items.push((points, reason.into()));
    }

    fn value(&self) -> i32 {
        (self.base + self.items.iter().map(|(p, _)| p).sum::<i32>()).clamp(0, 100)
    }

    /// Each item's effect on the total, scaled by the area's weight.
    fn factors(&self) -> Vec<Factor> {
        self.items
            .iter()
            .map(|(p, reason)| Factor {
                points: (p * self.weight + if *p >= 0 { 50 } else { -50 }) / 100,
                area: self.name.to_owned(),
                reason: reason.clone(),
            })
            .filter(|f| f.points != 0)
            .collect()
    }
}

fn contains_ci(list: &[String], value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v.trim())))
}

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "gmx.de",
    "proton.me",
];

/// Computes the score. Deterministic: no clock, no randomness; ages come in `inputs`.
pub fn compute(inputs: &Inputs) -> Score {
    // Demographic fit: the best-matching ICP profile, scaled by its weight.
    let mut demographic = Area::new("demographic", WEIGHTS.demographic, 10);
    let best = inputs
        .icps
        .iter()
        .map(|icp| {
            let title = inputs.job_title.as_deref().is_some_and(|t| {
                let t = t.to_lowercase();
                icp.job_titles.iter().any(|j| t.contains(&j.to_lowercase()))
            });
            let parts = [
                (title, 40, "job title"),
                (
                    contains_ci(&icp.industries, &inputs.industry),
                    25,
                    "industry",
                ),
                (
                    contains_ci(&icp.company_sizes, &inputs.company_size),
                    15,
                    "company size",
                ),
                (contains_ci(&icp.countries, &inputs.country), 10, "country"),
            ];
            let total: i32 = parts
                .iter()
                .filter(|p| p.0)
                .map(|p| p.1 * icp.weight / 100)
                .sum();
            (total, icp, parts)
        })
        .max_by_key(|(total, icp, _)| (*total, std::cmp::Reverse(icp.name.clone())));
    match best {
        Some((total, icp, parts)) if total > 0 => {
            for (matched, points, what) in parts {
                if matched {
                    demographic.add(
                        points * icp.weight / 100,
                        format!("{what} matches ICP '{}'", icp.name),
                    );
                }
            }
        }
        _ if inputs.icps.is_empty() => demographic.add(0, "no ICP profiles defined"),
        _ => demographic.add(-10, "matches none of the ICP profiles"),
    }
    if let Some(domain) = inputs
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase())
    {
        if FREE_MAIL.contains(&domain.as_str()) {
            demographic.add(-10, "personal email address");
        } else {
            demographic.add(10, "company email address");
        }
    }

    // Behavioural engagement.
    let mut behavioral = Area::new("behavioral", WEIGHTS.behavioral, 0);
    if inputs.meetings_30d > 0 {
        behavioral.add(
            (inputs.meetings_30d.min(3) * 20) as i32,
            format!("{} meeting(s) or demo(s) in 30 days", inputs.meetings_30d),
        );
    }
    if inputs.calls_30d > 0 {
        behavioral.add(
            (inputs.calls_30d.min(4) * 8) as i32,
            format!("{} call(s) in 30 days", inputs.calls_30d),
        );
    }
    if inputs.touches_30d > 0 {
        behavioral.add(
            (inputs.touches_30d.min(5) * 3) as i32,
            format!("{} other touch(es) in 30 days", inputs.touches_30d),
        );
    }
    let mut events = inputs.events_14d.clone();
    events.sort();
    for (kind, count) in events {
        let per = match kind.as_str() {
            "meeting_booked" => 20,
            "form_submitted" | "demo_requested" => 12,
            "pricing_viewed" => 10,
            "created" | "edited" | "assigned" | "status_changed" => 0,
            _ => 3,
        };
        if per > 0 && count > 0 {
            behavioral.add(
                per * count.min(3) as i32,
                format!("{} in the last 14 days ({count})", kind.replace('_', " ")),
            );
        }
    }
    if behavioral.items.is_empty() {
        behavioral.add(0, "no activity yet");
    }

    // Temporal: recency and follow-up discipline.
    let mut temporal = Area::new("temporal", WEIGHTS.temporal, 50);
    match inputs.days_since_touch {
        None => temporal.add(-30, "never contacted"),
        Some(d) if d <= 3 => temporal.add(40, format!("in touch {d} day(s) ago")),
        Some(d) if d <= 7 => temporal.add(25, format!("in touch {d} days ago")),
        Some(d) if d <= 14 => temporal.add(0, format!("last touch {d} days ago")),
        Some(d) => temporal.add(
            -(((d - 14) * 2).min(50) as i32),
            format!("no contact in {d} days"),
        ),
    }
    if let (Some(out), inbound) = (inputs.days_since_outbound, inputs.days_since_inbound)
        && out >= 7
        && inbound.is_none_or(|i| i > out)
    {
        temporal.add(-(out.min(30) as i32), format!("no reply in {out} days"));
    }
    match inputs.days_to_follow_up {
        Some(d) if d < 0 => temporal.add(
            -((-d).min(30) as i32) - 5,
            format!("follow-up overdue by {} day(s)", -d),
        ),
        Some(_) => temporal.add(10, "follow-up scheduled"),
        None => {}
    }

    // Conversational signals.
    let mut conversational = Area::new("conversational", WEIGHTS.conversational, 20);
    if inputs.inbound_30d > 0 {
        conversational.add(
            (inputs.inbound_30d.min(3) * 15) as i32,
            format!("{} message(s) from the lead in 30 days", inputs.inbound_30d),
        );
    }
    let mut signals = inputs.signals.clone();
    signals.sort();
    signals.dedup();
    for signal in signals {
        let points = match signal.as_str() {
            "pricing" | "budget" | "timeline" | "decision_maker" => 15,
            "competitor" => -10,
            "not_interested" | "unsubscribe" => -40,
            _ => 0,
        };
        if points != 0 {
            conversational.add(points, format!("mentioned {}", signal.replace('_', " ")));
        }
    }

    let areas = [&demographic, &behavioral, &temporal, &conversational];
    let weighted: i32 = areas.iter().map(|a| a.value() * a.weight).sum::<i32>();
    let mut score = (weighted + 50) / 100;
    let mut factors: Vec<Factor> = areas.iter().flat_map(|a| a.factors()).collect();
    match inputs.status.as_str() {
        "lost" | "unqualified" if score > 5 => {
            factors.push(Factor {
                points: 5 - score,
                area: "status".into(),
                reason: format!("lead is {}", inputs.status),
            });
            score = 5;
        }
        _ => {}
    }
    factors.sort_by(|a, b| {
        b.points
            .abs()
            .cmp(&a.points.abs())
            .then_with(|| a.reason.cmp(&b.reason))
    });

    // Confidence: how much of what the model uses is known.
    let known = [
        inputs.job_title.is_some(),
        inputs.industry.is_some(),
        inputs.company_size.is_some(),
        inputs.country.is_some(),
        inputs.email.is_some(),
        !inputs.icps.is_empty(),
        inputs.days_since_touch.is_some(),
        inputs.inbound_30d + inputs.meetings_30d + inputs.calls_30d + inputs.touches_30d > 0,
    ];
    let confidence = 20 + 10 * known.iter().filter(|k| **k).count() as i32;

    Score {
        score: score.clamp(0, 100),
        confidence: confidence.min(100),
        demographic: demographic.value(),
        behavioral: behavioral.value(),
        temporal: temporal.value(),
        conversational: conversational.value(),
        factors,
    }
}

/// The insights the detail page and the dashboard list for a lead.
pub fn insights(inputs: &Inputs, score: &Score) -> Vec<(String, String, String)> {
    let open = !matches!(inputs.status.as_str(), "converted" | "lost" | "unqualified");
    let mut out = Vec::new();
    if !open {
        return out;
    }
    if let Some(d) = inputs.days_to_follow_up.filter(|d| *d <= 0) {
        let when = if d == 0 {
            "today".to_owned()
        } else {
            format!("{} day(s) overdue", -d)
        };
        out.push((
            "follow_up_due".into(),
            format!("Follow-up due {when}"),
            "Call or write today, then schedule the next step.".into(),
        ));
    }
    if inputs.days_since_touch.is_none_or(|d| d >= 14) {
        out.push((
            "churn_risk".into(),
            "Going cold".into(),
            match inputs.days_since_touch {
                Some(d) => {
                    format!("No contact in {d} days. A short personal note revives most leads.")
                }
                None => "Never contacted. Reach out while the interest is fresh.".into(),
            },
        ));
    }
    let next = if score.demographic >= 50 && inputs.meetings_30d == 0 {
        Some((
            "Book a demo",
            "Strong fit with your ICP and no meeting yet.",
        ))
    } else if inputs
        .signals
        .iter()
        .any(|s| s == "pricing" || s == "budget")
    {
        Some(("Send a proposal", "They asked about pricing or budget."))
    } else if score.score < 30 && inputs.days_since_touch.is_some_and(|d| d > 30) {
        Some((
            "Move to nurturing",
            "Low score and long silence: keep them warm with content.",
        ))
    } else {
        None
    };
    if let Some((title, why)) = next {
        out.push(("next_best_action".into(), title.into(), why.into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icp() -> Icp {
        Icp {
            name: "Scaling SaaS founder".into(),
            industries: vec!["Software".into()],
            job_titles: vec!["founder".into(), "ceo".into()],
            company_sizes: vec!["11-50".into()],
            countries: vec!["DE".into()],
            weight: 100,
        }
    }

    fn engaged() -> Inputs {
        Inputs {
            job_title: Some("Co-Founder".into()),
            industry: Some("software".into()),
            company_size: Some("11-50".into()),
            country: Some("DE".into()),
            email: Some("ann@startup.example".into()),
            status: "qualified".into(),
            icps: vec![icp()],
            meetings_30d: 1,
            calls_30d: 2,
            days_since_touch: Some(2),
            days_since_inbound: Some(2),
            days_since_outbound: Some(3),
            days_to_follow_up: Some(5),
            inbound_30d: 2,
            signals: vec!["pricing".into()],
            ..Inputs::default()
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_score() {
        assert_eq!(compute(&engaged()), compute(&engaged()));
    }

    #[test]
    fn an_engaged_fitting_lead_scores_high_and_says_why() {
        let s = compute(&engaged());
        assert!(s.score >= 60, "{s:?}");
        assert_eq!(s.demographic, 100);
        let labels: Vec<String> = s.factors.iter().map(Factor::label).collect();
        assert!(
            labels.contains(&"+12: job title matches ICP 'Scaling SaaS founder'".to_owned()),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l.contains("mentioned pricing")),
            "{labels:?}"
        );
        assert!(s.confidence >= 90);
    }

    #[test]
    fn silence_and_an_overdue_follow_up_cost_points() {
        let cold = Inputs {
            days_since_touch: Some(40),
            days_since_outbound: Some(21),
            days_since_inbound: None,
            days_to_follow_up: Some(-3),
            meetings_30d: 0,
            calls_30d: 0,
            inbound_30d: 0,
            signals: vec![],
            ..engaged()
        };
        let warm = compute(&engaged());
        let s = compute(&cold);
        assert!(s.score < warm.score, "{} < {}", s.score, warm.score);
        let labels: Vec<String> = s.factors.iter().map(Factor::label).collect();
        assert!(
            labels.contains(&"-4: no reply in 21 days".to_owned()),
            "{labels:?}"
        );
        assert!(
            labels
                .iter()
                .any(|l| l.contains("follow-up overdue by 3 day(s)")),
            "{labels:?}"
        );
        let kinds: Vec<String> = insights(&cold, &s).into_iter().map(|i| i.0).collect();
        assert!(
            kinds.contains(&"follow_up_due".into()) && kinds.contains(&"churn_risk".into()),
            "{kinds:?}"
        );
    }

    #[test]
    fn lost_leads_drop_to_five_and_get_no_insights() {
        let lost = Inputs {
            status: "lost".into(),
            ..engaged()
        };
        let s = compute(&lost);
        assert_eq!(s.score, 5);
        assert!(s.factors.iter().any(|f| f.reason == "lead is lost"));
        assert!(insights(&lost, &s).is_empty());
    }

    #[test]
    fn scores_stay_in_range_for_extreme_inputs() {
        let extreme = Inputs {
            meetings_30d: 1_000,
            calls_30d: 1_000,
            touches_30d: 1_000,
            inbound_30d: 1_000,
            events_14d: vec![("meeting_booked".into(), 1_000)],
            signals: vec![
                "not_interested".into(),
                "unsubscribe".into(),
                "competitor".into(),
            ],
            days_since_touch: Some(10_000),
            days_to_follow_up: Some(-10_000),
            ..engaged()
        };
        let s = compute(&extreme);
        for v in [
            s.score,
            s.confidence,
            s.demographic,
            s.behavioral,
            s.temporal,
            s.conversational,
        ] {
            assert!((0..=100).contains(&v), "{s:?}");
        }
    }
}
