//! The SQL of the leads pipeline. Every function takes the request's [`Tenant`]; every
//! read goes through [`scope`], so the list, the detail, edits and the export all see
//! exactly the leads the caller's record scope allows (the detail is the list's query
//! narrowed to one id, never a second way in).

use super::counts::CountCache;
use super::model::{
    ActivityKind, BOARD_CARDS, BOARD_STATUSES, BoardCard, BoardColumn, COUNT_CAP, DealSummary,
    FilterChoices, FunnelProgress, LeadAbilities, LeadDetail, LeadForm, LeadPage, LeadPriority,
    LeadQuery, LeadRow, LeadSource, LeadStatus, MatchCount, PAGE_SIZE, ScoreExplanation, SortKey,
    TimelineItem, deal_terms, parse_amount, parse_tags,
};
use super::score::Factor;
use crate::access::model::{LeadScope, Permission};
use crate::auth::model::EmailAddress;
use crate::error::AppError;
use crate::org::model::Money;
use crate::server::audit::Entry;
use crate::server::db::positional_row;
use crate::server::guard::Tenant;
use serde_json::json;
use sqlx::{Postgres, QueryBuilder};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The record-scope condition for the caller, on alias `l`.
pub(super) fn scope(qb: &mut QueryBuilder<'_, Postgres>, tenant: &Tenant) {
    let actor = &tenant.actor;
    match (actor.lead_scope, actor.team_id) {
        (LeadScope::All, _) => {}
        (LeadScope::Team, Some(team)) => {
            qb.push(" and (l.assignee_id = ")
                .push_bind(actor.user_id)
                .push(" or l.team_id = ")
                .push_bind(team)
                .push(")");
        }
        (LeadScope::Team | LeadScope::Own, _) => {
            qb.push(" and l.assignee_id = ").push_bind(actor.user_id);
        }
    }
}

/// Ends `qb` with `limit n`, `n` written into the statement rather than bound. A bound
/// limit makes PostgreSQL cost a generic plan as if a tenth of the table came back, so it
/// never adopts that plan and plans the statement again on every execution: for the list's
/// rows that was 0.57 ms of the database's CPU per page, seven tenths of the statement.
/// With the number in the text the generic plan costs what the custom one does, so a
/// connection keeps it (at once when nothing else is bound, else after PostgreSQL's five
/// custom plans). `n` is always a constant of the leads module, never a request's value.
pub(super) fn push_limit(qb: &mut QueryBuilder<'_, Postgres>, n: i64) {
    qb.push(format!(" limit {n}"));
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(200).collect())
}

fn date(value: &Option<String>, field: &str) -> Result<Option<OffsetDateTime>, AppError> {
    match text(value) {
        None => Ok(None),
        Some(v) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(&v, &format)
                .map(|d| Some(d.midnight().assume_utc()))
                .map_err(|_| AppError::field(field, "Enter a date as YYYY-MM-DD."))
        }
    }
}

fn id(value: &Option<String>, field: &str) -> Result<Option<Uuid>, AppError> {
    match text(value) {
        None => Ok(None),
        Some(v) => Uuid::parse_str(&v)
            .map(Some)
            .map_err(|_| AppError::field(field, "Choose one of the listed values.")),
    }
}

/// A filter on a partner or a campaign: by id (a listed choice, or a link from the
/// record's own page), or by part of the name where the organization has more than the
/// filter lists (see [`super::model::CHOICES_CAP`]).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pick {
    Id(Uuid),
    Named(String),
}

impl Pick {
    fn parse(value: &Option<String>) -> Option<Pick> {
        text(value).map(|v| match Uuid::parse_str(&v) {
            Ok(id) => Pick::Id(id),
            Err(_) => Pick::Named(v),
        })
    }

    fn id(this: &Option<Pick>) -> Option<Uuid> {
        match this {
            Some(Pick::Id(id)) => Some(*id),
            _ => None,
        }
    }
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The filter of a list query, parsed and checked once.
///
/// Filtered reads (the list, its count, the board, the export) select from
/// `tenant_leads`, the view of the current tenant's leads, not from `leads`: under
/// row-level security the filters' operators (enum equality, text search, `ILIKE`) are
/// not LEAKPROOF, so PostgreSQL would apply them only after reading every row of the
/// tenant. The view is explained in its migration (`…_tenant_leads_view.sql`).
#[derive(Debug)]
pub(super) struct Filter {
    q: Option<String>,
    contains: Option<String>,
    status: Option<LeadStatus>,
    source: Option<LeadSource>,
    priority: Option<LeadPriority>,
    assignee: Option<Option<Uuid>>,
    team: Option<Uuid>,
    partner: Option<Pick>,
    campaign: Option<Pick>,
    tag: Option<String>,
    created: (Option<OffsetDateTime>, Option<OffsetDateTime>),
    follow_up: (Option<OffsetDateTime>, Option<OffsetDateTime>),
    /// Only these leads (an export of a selection).
    pub(super) ids: Option<Vec<Uuid>>,
}

fn choice<T>(
    value: &Option<String>,
    field: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match text(value) {
        None => Ok(None),
        Some(v) => parse(&v)
            .map(Some)
            .ok_or_else(|| AppError::field(field, "Choose one of the listed values.")),
    }
}

impl Filter {
    pub(super) fn parse(query: &LeadQuery, me: Uuid) -> Result<Filter, AppError> {
        let day = time::Duration::days(1);
        let assignee = match text(&query.assignee).as_deref() {
            None => None,
            Some("me") => Some(Some(me)),
            Some("none") => Some(None),
            Some(_) => Some(id(&query.assignee, "assignee")?),
        };
        Ok(Filter {
            q: text(&query.q),
            contains: text(&query.contains),
            status: choice(&query.status, "status", LeadStatus::parse)?,
            source: choice(&query.source, "source", LeadSource::parse)?,
            priority: choice(&query.priority, "priority", LeadPriority::parse)?,
            assignee,
            team: id(&query.team, "team")?,
            partner: Pick::parse(&query.partner),
            campaign: Pick::parse(&query.campaign),
            tag: text(&query.tag).map(|t| t.to_lowercase()),
            created: (
                date(&query.created_from, "created_from")?,
                date(&query.created_to, "created_to")?.map(|d| d + day),
            ),
            follow_up: (
                date(&query.follow_up_from, "follow_up_from")?,
                date(&query.follow_up_to, "follow_up_to")?.map(|d| d + day),
            ),
            ids: None,
        })
    }

    pub(super) fn push(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        self.push_fields(qb);
        self.push_text(qb);
    }

    /// Whether the filter searches text (full-text or substring).
    fn has_text(&self) -> bool {
        self.q.is_some() || self.contains.is_some()
    }

    /// Whether the filter matches partners or campaigns by name: its matches then depend
    /// on those tables too, not only on the leads.
    fn picks_by_name(&self) -> bool {
        matches!(self.partner, Some(Pick::Named(_)))
            || matches!(self.campaign, Some(Pick::Named(_)))
    }

    /// The text conditions: full-text search and substring search.
    fn push_text(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if let Some(q) = &self.q {
            qb.push(" and l.search @@ websearch_to_tsquery('simple', ")
                .push_bind(q.clone())
                .push(")");
        }
        if let Some(c) = &self.contains {
            let pattern = like_pattern(c);
            qb.push(" and (l.email::text ilike ")
                .push_bind(pattern.clone())
                .push(" or l.company ilike ")
                .push_bind(pattern)
                .push(")");
        }
    }

    /// Every condition but the text ones.
    fn push_fields(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if let Some(ids) = &self.ids {
            qb.push(" and l.id = any(").push_bind(ids.clone()).push(")");
        }
        if let Some(s) = self.status {
            qb.push(" and l.status = ").push_bind(s);
        }
        if let Some(s) = self.source {
            qb.push(" and l.source = ").push_bind(s);
        }
        if let Some(p) = self.priority {
            qb.push(" and l.priority = ").push_bind(p);
        }
        match self.assignee {
            Some(Some(a)) => {
                qb.push(" and l.assignee_id = ").push_bind(a);
            }
            Some(None) => {
                qb.push(" and l.assignee_id is null");
            }
            None => {}
        }
        if let Some(team) = self.team {
            qb.push(" and l.team_id = ").push_bind(team);
        }
        match &self.partner {
            Some(Pick::Id(p)) => {
                qb.push(" and l.partner_id = ").push_bind(*p);
            }
            // Part of the name, or the whole referral code (codes are short and shared
            // with the partner, so a part of one would match unrelated partners).
            Some(Pick::Named(name)) => {
                qb.push(" and l.partner_id in (select p.id from partners p where p.name ilike ")
                    .push_bind(like_pattern(name))
                    .push(" or lower(p.referral_code) = lower(")
                    .push_bind(name.clone())
                    .push("))");
            }
            None => {}
        }
        match &self.campaign {
            Some(Pick::Id(c)) => {
                qb.push(" and l.campaign_id = ").push_bind(*c);
            }
            Some(Pick::Named(name)) => {
                qb.push(" and l.campaign_id in (select c.id from campaigns c where c.name ilike ")
                    .push_bind(like_pattern(name))
                    .push(")");
            }
            None => {}
        }
        if let Some(tag) = &self.tag {
            qb.push(" and l.tags @> array[")
                .push_bind(tag.clone())
                .push("]::text[]");
        }
        for (column, (from, to)) in [
            ("l.created_at", self.created),
            ("l.next_follow_up_at", self.follow_up),
        ] {
            if let Some(f) = from {
                qb.push(format!(" and {column} >= ")).push_bind(f);
            }
            if let Some(t) = to {
                qb.push(format!(" and {column} < ")).push_bind(t);
            }
        }
    }
}

/// The sort expression of a key and the type its cursor value is cast back to.
fn sort_expr(key: SortKey) -> (&'static str, &'static str) {
    match key {
        SortKey::Created => ("l.created_at", "timestamptz"),
        SortKey::Name => ("lower(l.last_name || ' ' || l.first_name)", "text"),
        SortKey::Company => ("lower(coalesce(l.company, ''))", "text"),
        SortKey::Status => ("l.status", "lead_status"),
        SortKey::Score => ("l.score", "smallint"),
        SortKey::Value => ("coalesce(l.estimated_value_minor, -1)", "bigint"),
        SortKey::FollowUp => (
            "coalesce(l.next_follow_up_at, 'infinity'::timestamptz)",
            "timestamptz",
        ),
    }
}

fn parse_cursor(text: &str) -> Result<(String, Uuid), AppError> {
    let bad = || {
        AppError::field(
            "after",
            "That page link is damaged. Start again from the first page.",
        )
    };
    let (value, id) = text.rsplit_once('~').ok_or_else(bad)?;
    Ok((value.to_owned(), Uuid::parse_str(id).map_err(|_| bad())?))
}

fn cursor(value: &str, id: Uuid) -> String {
    format!("{value}~{id}")
}

positional_row! {
    /// A row of the list, in the order of [`Page::rows`]' select.
    struct ListRow {
        id: Uuid,
        first_name: String,
        last_name: String,
        email: Option<String>,
        company: Option<String>,
        status: LeadStatus,
        priority: LeadPriority,
        score: i16,
        estimated_value_minor: Option<i64>,
        currency: String,
        assignee: Option<String>,
        created_at: OffsetDateTime,
        next_follow_up_at: Option<OffsetDateTime>,
        sort_value: String,
    }
}

fn full_name(first: &str, last: &str) -> String {
    // One allocation per row, not `format!` and a trimmed copy.
    let (first, last) = (first.trim_start(), last.trim_end());
    let mut name = String::with_capacity(first.len() + last.len() + 1);
    name.push_str(first);
    name.push(' ');
    name.push_str(last);
    let trimmed = name.trim();
    if trimmed.is_empty() {
        "(no name)".to_owned()
    } else if trimmed.len() == name.len() {
        name
    } else {
        trimmed.to_owned()
    }
}

/// Members leads can be assigned to (staff, not partners), by name.
async fn assignees(tenant: &mut Tenant) -> Result<Vec<(Uuid, String)>, AppError> {
    let rows = sqlx::query!(
        r#"select m.user_id, u.name from organization_members m join users u on u.id = m.user_id
           where m.status = 'active' and m.role not in ('partner', 'api_user') order by u.name"#
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.name)).collect())
}

/// The list's assignees (as [`assignees`]) and the choices of its team, partner and
/// campaign filters, in one statement: `(kind, id, name, picked)` rows, each kind by name.
/// Partners and campaigns come to [`super::model::CHOICES_CAP`] and one more (to tell
/// that there are more), archived partners left out; the partner and the campaign
/// filtered by come once more, flagged, so the filter can show what it holds wherever it
/// is in the order. Teams and assignees are bounded by the organization's seats and all
/// come.
async fn list_choices(
    tenant: &mut Tenant,
    partner: Option<Uuid>,
    campaign: Option<Uuid>,
) -> Result<(Vec<(Uuid, String)>, FilterChoices), AppError> {
    // The `limit 101` is CHOICES_CAP + 1 (a macro's statement is a literal); the test of
    // the cap fails if the limit falls below that.
    let rows = sqlx::query!(
        r#"select kind as "kind!", id as "id!", name as "name!", picked as "picked!" from (
               select 'assignee' as kind, m.user_id as id, u.name, 0 as n, false as picked
               from organization_members m join users u on u.id = m.user_id
               where m.status = 'active' and m.role not in ('partner', 'api_user')
               union all
               select 'team', t.id, t.name, 1, false from teams t
               union all
               (select 'partner', p.id, p.name, 2, false from partners p
                where p.status <> 'archived' order by p.name, p.id limit 101)
               union all
               select 'partner', p.id, p.name, 2, true from partners p where p.id = $1
               union all
               (select 'campaign', c.id, c.name, 3, false from campaigns c
                order by c.name, c.id limit 101)
               union all
               select 'campaign', c.id, c.name, 3, true from campaigns c where c.id = $2
           ) choices
           order by n, name, id, picked"#,
        partner,
        campaign,
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let mut assignees = Vec::new();
    let mut choices = FilterChoices::default();
    for row in rows {
        match row.kind.as_str() {
            "assignee" => assignees.push((row.id, row.name)),
            "team" => choices.teams.push((row.id, row.name)),
            "partner" => choices.partners.push(row.id, row.name, row.picked),
            _ => choices.campaigns.push(row.id, row.name, row.picked),
        }
    }
    Ok((assignees, choices))
}

/// One page of the list for `query`, within the caller's scope.
///
/// The match count comes from `counts` when it holds one for this tenant, scope and
/// filter (see [`super::counts`]); it is computed and kept otherwise.
pub async fn list(
    mut tenant: Tenant,
    query: &LeadQuery,
    counts: Option<&CountCache>,
) -> Result<LeadPage, AppError> {
    let filter = Filter::parse(query, tenant.actor.user_id)?;
    let (key, dir) = query.sort_order();
    let (expr, cast) = sort_expr(key);
    let backwards = text(&query.before).is_some();
    let position = match (text(&query.after), text(&query.before)) {
        (_, Some(b)) => Some(parse_cursor(&b)?),
        (Some(a), None) => Some(parse_cursor(&a)?),
        (None, None) => None,
    };
    // Walking backwards reverses the order; the rows are flipped back afterwards.
    let descending = (dir == "desc") != backwards;
    let (cmp, order) = if descending {
        ("<", "desc")
    } else {
        (">", "asc")
    };

    let page = Page {
        filter: &filter,
        position: &position,
        expr,
        cast,
        cmp,
        order,
    };
    // A substring search matching many leads finds its page among the newest (or best
    // scored) few thousand, walking the sort's index; only when those hold too few
    // matches is the whole tenant searched through the trigram indexes. The planner
    // cannot tell which case a pattern is (its trigram estimates were off by two orders
    // of magnitude); for full-text search its estimates are good and it chooses well.
    let probed = match (filter.contains.is_some(), key) {
        (true, SortKey::Created | SortKey::Score) => {
            Some(page.rows(&mut tenant, Some(PROBE_ROWS)).await?)
        }
        _ => None,
    };
    let mut rows = match probed {
        Some(rows) if rows.len() as i64 > PAGE_SIZE => rows,
        _ => page.rows(&mut tenant, None).await?,
    };
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    if backwards {
        rows.reverse();
    }
    let first = rows.first().map(|r| cursor(&r.sort_value, r.id));
    let last = rows.last().map(|r| cursor(&r.sort_value, r.id));
    let (next, prev) = match (position.is_some(), backwards) {
        (false, _) => (more.then_some(last).flatten(), None),
        (true, false) => (more.then_some(last).flatten(), first),
        (true, true) => (last, more.then_some(first).flatten()),
    };

    let n = match_count(&mut tenant, &filter, counts).await?;
    let (assignees, choices) = list_choices(
        &mut tenant,
        Pick::id(&filter.partner),
        Pick::id(&filter.campaign),
    )
    .await?;
    let views = sqlx::query!(
        "select id, name, query from saved_views where user_id = $1 order by lower(name)",
        tenant.actor.user_id
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|v| (v.id, v.name, v.query))
    .collect();
    let can = LeadAbilities {
        write: tenant.actor.can(Permission::LeadsWrite),
        assign: tenant.actor.can(Permission::LeadsAssign),
        import: tenant.actor.can(Permission::LeadsImport),
        export: tenant.actor.can(Permission::LeadsExport),
    };
    tenant.commit().await?;
    Ok(LeadPage {
        can,
        views,
        rows: rows
            .into_iter()
            .map(|r| LeadRow {
                id: r.id,
                name: full_name(&r.first_name, &r.last_name),
                email: r.email,
                company: r.company,
                status: r.status,
                priority: r.priority,
                score: r.score,
                value: r.estimated_value_minor.map(|minor| Money {
                    minor,
                    currency: r.currency.clone(),
                }),
                assignee: r.assignee,
                created_on: r.created_at.date().to_string(),
                follow_up_on: r.next_follow_up_at.map(|t| t.date().to_string()),
            })
            .collect(),
        count: if n > COUNT_CAP {
            MatchCount::AtLeast(COUNT_CAP)
        } else {
            MatchCount::Exact(n)
        },
        next,
        prev,
        assignees,
        choices,
    })
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: Uuid,
    version: i32,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    job_title: Option<String>,
    priority: LeadPriority,
    status: LeadStatus,
    source: LeadSource,
    lost_reason: Option<String>,
    estimated_value_minor: Option<i64>,
    currency: String,
    tags: Vec<String>,
    next_follow_up_at: Option<OffsetDateTime>,
    score: i16,
    score_confidence: i16,
    assignee_id: Option<Uuid>,
    assignee: Option<String>,
    partner_id: Option<Uuid>,
    partner: Option<String>,
    campaign_id: Option<Uuid>,
    campaign: Option<String>,
    funnel_id: Option<Uuid>,
    deal: Option<String>,
    deal_kind: Option<String>,
    deal_rate: Option<i64>,
    deal_currency: Option<String>,
    deal_trigger: Option<String>,
    deal_holding_days: Option<i32>,
    created_at: OffsetDateTime,
}

/// How many leads in sort order a substring search looks at before it searches the
/// tenant.
const PROBE_ROWS: i64 = 2_000;

/// One page of the list: the filter, where the page starts, and the order.
struct Page<'a> {
    filter: &'a Filter,
    position: &'a Option<(String, Uuid)>,
    expr: &'static str,
    cast: &'static str,
    cmp: &'static str,
    order: &'static str,
}

impl Page<'_> {
    /// The page's rows (one more than a page, to tell whether another follows). With
    /// `probe`, only among the first `probe` leads in order that match everything but
    /// the text search.
    async fn rows(
        &self,
        tenant: &mut Tenant,
        probe: Option<i64>,
    ) -> Result<Vec<ListRow>, AppError> {
        let Page {
            filter,
            position,
            expr,
            cast,
            cmp,
            order,
        } = self;
        let mut qb = QueryBuilder::<Postgres>::new(format!(
            "select l.id, l.first_name, l.last_name, l.email::text as email, l.company, l.status, l.priority, l.score,
                    l.estimated_value_minor, l.currency::text as currency, u.name as assignee, l.created_at,
                    l.next_follow_up_at, ({expr})::text as sort_value
             from "
        ));
        if probe.is_some() {
            qb.push("(select l.* from tenant_leads l where l.deleted_at is null");
        } else {
            qb.push("tenant_leads l left join users u on u.id = l.assignee_id where l.deleted_at is null");
        }
        scope(&mut qb, tenant);
        filter.push_fields(&mut qb);
        // A page's position: for a statement that is prepared once (no text search),
        // through two one-row sub-selects, which the planner does not look into. A custom
        // plan then costs what the generic one does, and PostgreSQL keeps the generic plan
        // after its five tries. Bound directly, the position made every custom plan look
        // cheaper (its rows estimated from the value, the generic plan's from a default
        // third of the tenant), so a page with a position was planned on every load:
        // 0.44 ms of the database's CPU, more than the 0.26 ms its rows took, for the same
        // index scan. Searches are planned on every load anyway (below), and there the
        // value helps the planner weigh the sort's index against the matches.
        if let Some((value, id)) = position {
            let (open, close) = if filter.has_text() {
                ("", "")
            } else {
                ("(select ", ")")
            };
            qb.push(format!(" and (({expr}), l.id) {cmp} ({open}"))
                .push_bind(value.clone())
                .push(format!("::{cast}{close}, {open}"))
                .push_bind(*id)
                .push(format!("::uuid{close})"));
        }
        if let Some(limit) = probe {
            qb.push(format!(" order by {expr} {order}, l.id {order}"));
            push_limit(&mut qb, limit);
            qb.push(") l left join users u on u.id = l.assignee_id where true");
        }
        filter.push_text(&mut qb);
        qb.push(format!(" order by {expr} {order}, l.id {order}"));
        push_limit(&mut qb, PAGE_SIZE + 1);
        // A prepared statement may switch to a generic plan, made without the search
        // text: for a full-text search that was a bitmap scan of every match and a sort,
        // 33 ms, where the plan for the actual text walks the created-at index and stops
        // after a page, 1 ms. Searches are planned each time (about 1 ms) instead.
        let rows = qb
            .build()
            .persistent(!filter.has_text())
            .fetch_all(&mut *tenant.tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(ref d)
                    if d.code().as_deref() == Some("22P02")
                        || d.code().as_deref() == Some("22007") =>
                {
                    AppError::field(
                        "after",
                        "That page link is damaged. Start again from the first page.",
                    )
                }
                other => other.into(),
            })?;
        Ok(ListRow::decode_all(&rows)?)
    }
}

/// How many leads match `filter` in the caller's scope, up to [`COUNT_CAP`] + 1.
async fn match_count(
    tenant: &mut Tenant,
    filter: &Filter,
    counts: Option<&CountCache>,
) -> Result<i64, AppError> {
    let org = tenant.org.id;
    let actor = &tenant.actor;
    let key = match actor.lead_scope {
        LeadScope::All => format!("all|{filter:?}"),
        scope => format!("{scope:?}|{}|{:?}|{filter:?}", actor.user_id, actor.team_id),
    };
    // A count that depends on partners' or campaigns' names is not kept: renaming one
    // sends no notification.
    let counts = counts.filter(|_| !filter.picks_by_name());
    if let Some(n) = counts.and_then(|c| c.get(org, &key)) {
        return Ok(n);
    }
    let token = counts.and_then(|c| c.token(org));
    let mut count = QueryBuilder::<Postgres>::new(
        "select count(*) from (select 1 from tenant_leads l where l.deleted_at is null",
    );
    scope(&mut count, tenant);
    filter.push(&mut count);
    push_limit(&mut count, COUNT_CAP + 1);
    count.push(") s");
    let n: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *tenant.tx)
        .await?;
    if let (Some(cache), Some(token)) = (counts, token) {
        cache.put(org, key, token, n);
    }
    Ok(n)
}

/// A lead's editable fields as its form shows them.
fn form_of(lead: &DetailRow) -> LeadForm {
    LeadForm {
        first_name: lead.first_name.clone(),
        last_name: lead.last_name.clone(),
        email: lead.email.clone().unwrap_or_default(),
        phone: lead.phone.clone().unwrap_or_default(),
        company: lead.company.clone().unwrap_or_default(),
        job_title: lead.job_title.clone().unwrap_or_default(),
        priority: lead.priority.key().to_owned(),
        estimated_value: lead
            .estimated_value_minor
            .map(|v| format!("{}.{:02}", v / 100, v % 100))
            .unwrap_or_default(),
        tags: lead.tags.join(", "),
        next_follow_up: lead
            .next_follow_up_at
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
    }
}

/// The form of one lead within the caller's record scope (`NotFound` outside it).
pub(super) async fn scoped_form(tenant: &mut Tenant, id: Uuid) -> Result<LeadForm, AppError> {
    Ok(form_of(&scoped_lead(tenant, id).await?))
}

/// Loads one lead through the list's scope: a lead outside it is `NotFound`.
async fn scoped_lead(tenant: &mut Tenant, id: Uuid) -> Result<DetailRow, AppError> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select l.id, l.version, l.first_name, l.last_name, l.email::text as email, l.phone, l.company, l.job_title,
                l.priority, l.status, l.source, l.lost_reason, l.estimated_value_minor, l.currency::text as currency, l.tags, l.next_follow_up_at,
                l.score, l.score_confidence, l.assignee_id, u.name as assignee, p.id as partner_id, p.name as partner,
                c.id as campaign_id, c.name as campaign, l.funnel_id, d.name as deal,
                d.commission_type::text as deal_kind, d.commission_value as deal_rate,
                d.currency::text as deal_currency, d.payout_trigger::text as deal_trigger,
                d.holding_days as deal_holding_days, l.created_at
         from leads l
             left join users u on u.id = l.assignee_id
             left join partners p on p.organization_id = l.organization_id and p.id = l.partner_id
             left join campaigns c on c.organization_id = l.organization_id and c.id = l.campaign_id
             left join deals d on d.organization_id = l.organization_id and d.id = l.deal_id
         where l.deleted_at is null and l.id = ",
    );
    qb.push_bind(id);
    scope(&mut qb, tenant);
    qb.build_query_as()
        .fetch_optional(&mut *tenant.tx)
        .await?
        .ok_or(AppError::NotFound)
}

fn event_title(kind: &str, detail: &serde_json::Value) -> String {
    let s = |k: &str| {
        detail
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .replace('_', " ")
    };
    // A status by its label ("Proposal"), or as written when it is not one.
    let status = |k: &str| {
        let key = detail.get(k).and_then(|v| v.as_str()).unwrap_or("");
        LeadStatus::parse(key).map_or_else(|| s(k), |st| st.label().to_owned())
    };
    match kind {
        "status_changed" if s("from").is_empty() => format!("Status changed to {}", status("to")),
        "status_changed" => format!("Status: {} → {}", status("from"), status("to")),
        "assigned" => format!("Assigned to {}", s("to_name")),
        "created" => "Lead created".to_owned(),
        "edited" => "Details edited".to_owned(),
        "imported" if detail.get("updated").is_some() => "Updated by a CSV import".to_owned(),
        "imported" => "Created by a CSV import".to_owned(),
        // Events the pipeline does not name itself (from funnels, forms, the API): the
        // kind as a sentence, "meeting_booked" as "Meeting booked".
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

/// The detail page's data.
pub async fn detail(mut tenant: Tenant, id: Uuid) -> Result<LeadDetail, AppError> {
    let lead = scoped_lead(&mut tenant, id).await?;
    let timeline = sqlx::query!(
        r#"select t.at as "at!", t.source as "source!", t.kind as "kind!", t.title, t.body, t.detail, u.name as "actor?"
           from (
               select occurred_at as at, 'event' as source, kind, null::text as title, null::text as body, detail, actor_id
               from journey_events where lead_id = $1
               union all
               select created_at, 'activity', kind::text, subject, nullif(body, ''), null, actor_id
               from activities where lead_id = $1
               union all
               select occurred_at, 'conversation', direction::text, channel, body, null, null
               from conversations where lead_id = $1
           ) t left join users u on u.id = t.actor_id
           order by t.at desc
           limit 100"#,
        id
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|r| {
        let title = match r.source.as_str() {
            "event" => event_title(&r.kind, r.detail.as_ref().unwrap_or(&serde_json::Value::Null)),
            "activity" => format!(
                "{}: {}",
                ActivityKind::parse(&r.kind).map(|k| k.label()).unwrap_or("Activity"),
                r.title.unwrap_or_default()
            ),
            _ => format!(
                "{} {}",
                if r.kind == "inbound" { "Message from lead via" } else { "Message to lead via" },
                r.title.unwrap_or_default()
            ),
        };
        let body = match (r.source.as_str(), r.detail) {
            ("event", Some(d)) => d.get("reason").and_then(|v| v.as_str()).map(str::to_owned),
            _ => r.body,
        };
        TimelineItem {
            at: r.at.format(&Rfc3339).unwrap_or_default(),
            source: r.source,
            title,
            body,
            actor: r.actor,
        }
    })
    .collect();
    let scores = sqlx::query!(
        r#"select score, demographic, behavioral, temporal, conversational, factors, computed_at
           from lead_scores where lead_id = $1 order by computed_at desc, id desc limit 30"#,
        id
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let explanation = scores.first().map(|s| ScoreExplanation {
        parts: vec![
            ("Demographic fit".into(), s.demographic),
            ("Engagement".into(), s.behavioral),
            ("Recency and follow-up".into(), s.temporal),
            ("Conversation".into(), s.conversational),
        ],
        factors: serde_json::from_value::<Vec<Factor>>(s.factors.clone())
            .map(|f| f.iter().map(Factor::label).collect())
            // Older rows (the demo seed's) carry {points, reason} without an area.
            .unwrap_or_else(|_| {
                s.factors
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|f| {
                                Some(format!(
                                    "{:+}: {}",
                                    f.get("points")?.as_i64()?,
                                    f.get("reason")?.as_str()?
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }),
        computed_at: s.computed_at.format(&Rfc3339).unwrap_or_default(),
    });
    let history = scores
        .iter()
        .rev()
        .map(|s| (s.computed_at.date().to_string(), s.score))
        .collect();
    let insights = sqlx::query!(
        "select title, detail from ai_insights where lead_id = $1 and acknowledged_at is null order by created_at",
        id
    )
    .fetch_all(&mut *tenant.tx)
    .await?
    .into_iter()
    .map(|i| (i.title, i.detail))
    .collect();
    let funnels = funnel_progress(&mut tenant, id, lead.funnel_id).await?;
    // Commission terms are the partner programme's business: sales reps see partner
    // names only.
    let deal = match (&lead.deal, &lead.deal_kind) {
        (Some(name), Some(kind)) if tenant.actor.can(Permission::PartnersRead) => {
            Some(DealSummary {
                name: name.clone(),
                terms: deal_terms(
                    kind,
                    lead.deal_rate.unwrap_or_default(),
                    lead.deal_currency.as_deref().unwrap_or_default(),
                    lead.deal_trigger.as_deref().unwrap_or_default(),
                    lead.deal_holding_days.unwrap_or_default(),
                ),
            })
        }
        _ => None,
    };
    let assignees = assignees(&mut tenant).await?;
    let can_write = tenant.actor.can(Permission::LeadsWrite);
    let can_assign = tenant.actor.can(Permission::LeadsAssign);
    tenant.commit().await?;
    Ok(LeadDetail {
        id: lead.id,
        version: lead.version,
        form: form_of(&lead),
        value: lead.estimated_value_minor.map(|minor| Money {
            minor,
            currency: lead.currency.clone(),
        }),
        status: lead.status,
        lost_reason: lead.lost_reason,
        source: lead.source,
        score: lead.score,
        score_confidence: lead.score_confidence,
        assignee: lead.assignee_id.zip(lead.assignee),
        partner: lead.partner_id.zip(lead.partner),
        campaign: lead.campaign_id.zip(lead.campaign),
        deal,
        funnels,
        created_at: lead.created_at.format(&Rfc3339).unwrap_or_default(),
        timeline,
        explanation,
        history,
        insights,
        assignees,
        can_write,
        can_assign,
    })
}

/// How far lead `id` got in its own funnel (`funnel`) and in every other funnel it has
/// events in: each funnel's steps in order, with the day the lead first reached each.
async fn funnel_progress(
    tenant: &mut Tenant,
    id: Uuid,
    funnel: Option<Uuid>,
) -> Result<Vec<FunnelProgress>, AppError> {
    let rows = sqlx::query!(
        r#"select f.id as "funnel_id!", f.name as "funnel!", s.name as "step!",
                  (select min(e.occurred_at) from funnel_events e
                   where e.organization_id = s.organization_id and e.lead_id = $2 and e.step_id = s.id) as reached_at
           from funnels f
               join funnel_steps s on s.organization_id = f.organization_id and s.funnel_id = f.id
           where f.organization_id = $1
             and (f.id = $3 or f.id in (select e.funnel_id from funnel_events e
                                        where e.organization_id = $1 and e.lead_id = $2))
           order by f.id = $3 desc nulls last, f.name, f.id, s.position"#,
        tenant.org.id,
        id,
        funnel,
    )
    .fetch_all(&mut *tenant.tx)
    .await?;
    let mut funnels: Vec<(Uuid, FunnelProgress)> = Vec::new();
    for row in rows {
        let step = (row.step, row.reached_at.map(|at| at.date().to_string()));
        match funnels.last_mut() {
            Some((id, progress)) if *id == row.funnel_id => progress.steps.push(step),
            _ => funnels.push((
                row.funnel_id,
                FunnelProgress {
                    name: row.funnel,
                    steps: vec![step],
                },
            )),
        }
    }
    Ok(funnels.into_iter().map(|(_, progress)| progress).collect())
}

/// A [`LeadForm`] checked and converted; every problem is reported at its field.
pub(super) struct Parsed {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) company: Option<String>,
    pub(super) job_title: Option<String>,
    pub(super) priority: LeadPriority,
    pub(super) estimated_value_minor: Option<i64>,
    pub(super) tags: Vec<String>,
    pub(super) next_follow_up_at: Option<OffsetDateTime>,
}

fn optional(
    text: &str,
    max: usize,
    field: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > max {
        errors.insert(field.into(), format!("Use at most {max} characters."));
    }
    (!text.is_empty()).then(|| text.to_owned())
}

pub(super) fn parse_form(form: &LeadForm) -> Result<Parsed, AppError> {
    let mut errors = BTreeMap::new();
    let first_name = optional(&form.first_name, 100, "first_name", &mut errors).unwrap_or_default();
    let last_name = optional(&form.last_name, 100, "last_name", &mut errors).unwrap_or_default();
    let email = match form.email.trim() {
        "" => None,
        e => match EmailAddress::parse(e) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(m) => {
                errors.insert("email".into(), m.into());
                None
            }
        },
    };
    let company = optional(&form.company, 200, "company", &mut errors);
    if first_name.is_empty() && last_name.is_empty() && email.is_none() && company.is_none() {
        errors.insert(
            "first_name".into(),
            "Give the lead a name, an email or a company.".into(),
        );
    }
    let phone = optional(&form.phone, 40, "phone", &mut errors);
    let job_title = optional(&form.job_title, 200, "job_title", &mut errors);
    let priority = LeadPriority::parse(form.priority.trim()).unwrap_or_else(|| {
        if !form.priority.trim().is_empty() {
            errors.insert("priority".into(), "Choose hot, warm or cold.".into());
        }
        LeadPriority::Warm
    });
    let estimated_value_minor = parse_amount(&form.estimated_value).unwrap_or_else(|m| {
        errors.insert("estimated_value".into(), m.into());
        None
    });
    let tags = parse_tags(&form.tags).unwrap_or_else(|m| {
        errors.insert("tags".into(), m.into());
        Vec::new()
    });
    let next_follow_up_at = date(&Some(form.next_follow_up.clone()), "next_follow_up")
        .unwrap_or_else(|e| {
            errors.insert(
                "next_follow_up".into(),
                e.field_message("next_follow_up")
                    .unwrap_or_default()
                    .to_owned(),
            );
            None
        });
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Parsed {
        first_name,
        last_name,
        email,
        phone,
        company,
        job_title,
        priority,
        estimated_value_minor,
        tags,
        next_follow_up_at,
    })
}

fn duplicate_email(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::Database(d) if d.constraint() == Some("leads_organization_id_email_key") => {
            email_taken()
        }
        _ => err.into(),
    }
}

pub(super) async fn journey(
    tenant: &mut Tenant,
    lead: Uuid,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query!(
        "insert into journey_events (organization_id, id, lead_id, kind, detail, actor_id) values ($1, $2, $3, $4, $5, $6)",
        tenant.org.id,
        Uuid::now_v7(),
        lead,
        kind,
        detail,
        tenant.actor.user_id,
    )
    .execute(&mut *tenant.tx)
    .await?;
    Ok(())
}

/// Who a new lead belongs to and where it came from.
pub(super) struct Origin {
    pub(super) source: LeadSource,
    pub(super) assignee: Option<Uuid>,
    pub(super) team: Option<Uuid>,
}

/// Inserts a lead with the parsed fields; `false` when another live lead has its email
/// (so callers decide whether that is a field error or a skipped row).
pub(super) async fn insert_lead(
    tenant: &mut Tenant,
    id: Uuid,
    p: &Parsed,
    origin: &Origin,
) -> Result<bool, AppError> {
    let inserted = sqlx::query!(
        "insert into leads (organization_id, id, first_name, last_name, email, phone, company, job_title, priority,
                            estimated_value_minor, tags, next_follow_up_at, assignee_id, team_id, source)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         on conflict (organization_id, email) where email is not null and deleted_at is null do nothing",
        tenant.org.id,
        id,
        p.first_name,
        p.last_name,
        p.email,
        p.phone,
        p.company,
        p.job_title,
        p.priority as LeadPriority,
        p.estimated_value_minor,
        &p.tags,
        p.next_follow_up_at,
        origin.assignee,
        origin.team,
        origin.source as LeadSource,
    )
    .execute(&mut *tenant.tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Writes the parsed fields over a lead and bumps its version (an edit).
pub(super) async fn write_fields(
    tenant: &mut Tenant,
    id: Uuid,
    p: &Parsed,
) -> Result<(), AppError> {
    sqlx::query!(
        "update leads set first_name = $2, last_name = $3, email = $4, phone = $5, company = $6, job_title = $7,
                          priority = $8, estimated_value_minor = $9, tags = $10, next_follow_up_at = $11,
                          version = version + 1
         where id = $1",
        id,
        p.first_name,
        p.last_name,
        p.email,
        p.phone,
        p.company,
        p.job_title,
        p.priority as LeadPriority,
        p.estimated_value_minor,
        &p.tags,
        p.next_follow_up_at,
    )
    .execute(&mut *tenant.tx)
    .await
    .map_err(duplicate_email)?;
    Ok(())
}

/// The field error for an email another lead already has.
fn email_taken() -> AppError {
    AppError::field(
        "email",
        "Another lead already has this email address. Search for it instead of adding it twice.",
    )
}

/// Creates a lead assigned to its creator. Returns its id.
pub async fn create(mut tenant: Tenant, form: &LeadForm) -> Result<Uuid, AppError> {
    let p = parse_form(form)?;
    let id = Uuid::now_v7();
    let origin = Origin {
        source: LeadSource::Manual,
        assignee: Some(tenant.actor.user_id),
        team: tenant.actor.team_id,
    };
    if !insert_lead(&mut tenant, id, &p, &origin).await? {
        return Err(email_taken());
    }
    journey(&mut tenant, id, "created", json!({ "source": "manual" })).await?;
    super::scoring::recompute(&mut tenant, id).await?;
    tenant
        .audit(Entry {
            action: "lead.created",
            entity_type: "lead",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "name": full_name(&p.first_name, &p.last_name), "email": p.email, "company": p.company })),
        })
        .await?;
    tenant.commit().await?;
    Ok(id)
}

/// The message for an edit that lost a race.
pub const STALE_EDIT: &str = "Someone else changed this lead after you opened it, so your edit was not saved. \
    Reload the page to see their changes, then make yours again.";

/// Locks the lead (within scope) and checks the version the edit started from.
async fn lock_current(tenant: &mut Tenant, id: Uuid, version: i32) -> Result<DetailRow, AppError> {
    let lead = scoped_lead(tenant, id).await?;
    let current: i32 =
        sqlx::query_scalar!("select version from leads where id = $1 for update", id)
            .fetch_one(&mut *tenant.tx)
            .await?;
    if current != version {
        return Err(AppError::Conflict(STALE_EDIT.into()));
    }
    Ok(lead)
}

/// Saves an edit made from `version`; refused with a conflict if the lead changed since.
pub async fn update(
    mut tenant: Tenant,
    id: Uuid,
    version: i32,
    form: &LeadForm,
) -> Result<(), AppError> {
    let p = parse_form(form)?;
    let before = lock_current(&mut tenant, id, version).await?;
    write_fields(&mut tenant, id, &p).await?;
    journey(&mut tenant, id, "edited", json!({})).await?;
    super::scoring::recompute(&mut tenant, id).await?;
    tenant
        .audit(Entry {
            action: "lead.updated",
            entity_type: "lead",
            entity_id: Some(id.to_string()),
            before: Some(json!({ "version": version, "email": before.email, "company": before.company, "priority": before.priority.key() })),
            after: Some(json!({ "version": version + 1, "email": p.email, "company": p.company, "priority": p.priority.key() })),
        })
        .await?;
    tenant.commit().await
}

/// Moves a lead to another status; `lost` needs a reason. Recorded as a journey event.
pub async fn change_status(
    mut tenant: Tenant,
    id: Uuid,
    version: i32,
    status: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let status = LeadStatus::parse(status.trim())
        .ok_or_else(|| AppError::field("status", "Choose one of the listed statuses."))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if status == LeadStatus::Lost && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "Say why the lead was lost; it helps the next one.",
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::field("reason", "Use at most 500 characters."));
    }
    let before = lock_current(&mut tenant, id, version).await?;
    if before.status == status {
        return Err(AppError::field(
            "status",
            "The lead already has this status.",
        ));
    }
    sqlx::query!(
        "update leads set status = $2, lost_reason = case when $2 = 'lost'::lead_status then $3 else null end,
                          converted_at = case when $2 = 'converted'::lead_status then now() else converted_at end,
                          version = version + 1
         where id = $1",
        id,
        status as LeadStatus,
        reason,
    )
    .execute(&mut *tenant.tx)
    .await?;
    let detail = json!({ "from": before.status.key(), "to": status.key(), "reason": reason });
    journey(&mut tenant, id, "status_changed", detail.clone()).await?;
    super::scoring::recompute(&mut tenant, id).await?;
    tenant
        .audit(Entry {
            action: "lead.status_changed",
            entity_type: "lead",
            entity_id: Some(id.to_string()),
            before: Some(json!({ "status": before.status.key() })),
            after: Some(detail),
        })
        .await?;
    tenant.commit().await
}

/// The name of a member leads can be assigned to; a field error for anyone else.
pub(super) async fn assignee_name(tenant: &mut Tenant, user: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar!(
        "select u.name from organization_members m join users u on u.id = m.user_id
         where m.user_id = $1 and m.status = 'active' and m.role not in ('partner', 'api_user')",
        user
    )
    .fetch_optional(&mut *tenant.tx)
    .await?
    .ok_or_else(|| AppError::field("assignee", "Choose one of the listed members."))
}

/// Assigns a lead to a member (or to nobody).
pub async fn assign(mut tenant: Tenant, id: Uuid, assignee: Option<&str>) -> Result<(), AppError> {
    let assignee = id_field(assignee, "assignee")?;
    let before = scoped_lead(&mut tenant, id).await?;
    let name = match assignee {
        Some(a) => Some(assignee_name(&mut tenant, a).await?),
        None => None,
    };
    sqlx::query!(
        "update leads set assignee_id = $2, version = version + 1 where id = $1",
        id,
        assignee
    )
    .execute(&mut *tenant.tx)
    .await?;
    let detail = json!({ "from": before.assignee_id, "to": assignee, "to_name": name.clone().unwrap_or_else(|| "nobody".into()) });
    journey(&mut tenant, id, "assigned", detail.clone()).await?;
    tenant
        .audit(Entry {
            action: "lead.assigned",
            entity_type: "lead",
            entity_id: Some(id.to_string()),
            before: Some(json!({ "assignee": before.assignee_id })),
            after: Some(detail),
        })
        .await?;
    tenant.commit().await
}

fn id_field(value: Option<&str>, field: &str) -> Result<Option<Uuid>, AppError> {
    id(&value.map(str::to_owned), field)
}

/// Logs an activity or a note; a scheduled one also sets the lead's next follow-up.
pub async fn add_activity(
    mut tenant: Tenant,
    id: Uuid,
    kind: &str,
    subject: &str,
    body: &str,
    due_on: Option<&str>,
) -> Result<(), AppError> {
    let mut errors = BTreeMap::new();
    let kind = ActivityKind::parse(kind.trim()).unwrap_or_else(|| {
        errors.insert("kind".into(), "Choose one of the listed kinds.".into());
        ActivityKind::Note
    });
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        errors.insert(
            "subject".into(),
            "Write a subject of 1 to 200 characters.".into(),
        );
    }
    if body.chars().count() > 10_000 {
        errors.insert("body".into(), "Use at most 10,000 characters.".into());
    }
    let due = date(&due_on.map(str::to_owned), "due_on").unwrap_or_else(|e| {
        errors.insert(
            "due_on".into(),
            e.field_message("due_on").unwrap_or_default().to_owned(),
        );
        None
    });
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    scoped_lead(&mut tenant, id).await?;
    let activity = Uuid::now_v7();
    sqlx::query!(
        "insert into activities (organization_id, id, lead_id, actor_id, kind, subject, body, scheduled_at, completed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, case when $8::timestamptz is null then now() end)",
        tenant.org.id,
        activity,
        id,
        tenant.actor.user_id,
        kind as ActivityKind,
        subject,
        body.trim(),
        due,
    )
    .execute(&mut *tenant.tx)
    .await?;
    sqlx::query!(
        "update leads set last_contacted_at = case when $2 in ('call', 'email', 'meeting', 'demo') then now() else last_contacted_at end,
                          next_follow_up_at = coalesce($3, next_follow_up_at)
         where id = $1",
        id,
        kind.key(),
        due,
    )
    .execute(&mut *tenant.tx)
    .await?;
    super::scoring::recompute(&mut tenant, id).await?;
    tenant
        .audit(Entry {
            action: "lead.activity_logged",
            entity_type: "lead",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "activity": activity, "kind": kind.key(), "subject": subject })),
        })
        .await?;
    tenant.commit().await
}

/// Records an export in the audit log (committed before any row leaves, so an export
/// cut short is still on record). Fails on a bad filter, before anything is written.
pub async fn audit_export(
    mut tenant: Tenant,
    query: &LeadQuery,
    ids: Option<&[Uuid]>,
) -> Result<(), AppError> {
    Filter::parse(query, tenant.actor.user_id)?;
    tenant
        .audit(Entry {
            action: "lead.exported",
            entity_type: "lead",
            entity_id: None,
            before: None,
            after: Some(json!({ "filter": query.first_page().to_query(), "selected": ids })),
        })
        .await?;
    tenant.commit().await
}

positional_row! {
    /// A lead as the export writes it, in the order of [`export`]'s select.
    struct ExportRow {
        id: Uuid,
        first_name: String,
        last_name: String,
        email: Option<String>,
        company: Option<String>,
        job_title: Option<String>,
        phone: Option<String>,
        status: String,
        source: String,
        priority: String,
        score: i16,
        estimated_value_minor: Option<i64>,
        currency: String,
        assignee: Option<String>,
        tags: String,
        created_at: OffsetDateTime,
        next_follow_up_at: Option<OffsetDateTime>,
    }
}

/// The export's rows, streamed as CSV lines into `send`, within scope and filter.
/// Returns how many rows were sent.
pub async fn export(
    mut tenant: Tenant,
    query: &LeadQuery,
    ids: Option<Vec<Uuid>>,
    send: tokio::sync::mpsc::Sender<Result<String, std::io::Error>>,
) -> Result<u64, AppError> {
    use futures_util::TryStreamExt;
    let filter = Filter {
        ids,
        ..Filter::parse(query, tenant.actor.user_id)?
    };
    let mut qb = QueryBuilder::<Postgres>::new(
        "select l.id, l.first_name, l.last_name, l.email::text as email, l.company, l.job_title, l.phone,
                l.status::text as status, l.source::text as source, l.priority::text as priority, l.score,
                l.estimated_value_minor, l.currency::text as currency, u.email::text as assignee,
                array_to_string(l.tags, ';') as tags, l.created_at, l.next_follow_up_at
         from tenant_leads l left join users u on u.id = l.assignee_id
         where l.deleted_at is null",
    );
    scope(&mut qb, &tenant);
    filter.push(&mut qb);
    qb.push(" order by l.created_at desc, l.id desc");
    let header = super::csv::line(&[
        "id",
        "first_name",
        "last_name",
        "email",
        "company",
        "job_title",
        "phone",
        "status",
        "source",
        "priority",
        "score",
        "estimated_value",
        "currency",
        "assignee",
        "tags",
        "created_at",
        "next_follow_up_at",
    ]);
    if send.send(Ok(header)).await.is_err() {
        return Ok(0);
    }
    let mut rows = 0u64;
    {
        let mut stream = qb.build().fetch(&mut *tenant.tx);
        let mut chunk = String::new();
        while let Some(row) = stream.try_next().await? {
            if rows == 0 {
                ExportRow::check(&row)?;
            }
            let r = ExportRow::decode(&row)?;
            fn text(t: &Option<String>) -> &str {
                t.as_deref().unwrap_or_default()
            }
            chunk.push_str(&super::csv::line(&[
                &r.id.to_string(),
                &r.first_name,
                &r.last_name,
                text(&r.email),
                text(&r.company),
                text(&r.job_title),
                text(&r.phone),
                &r.status,
                &r.source,
                &r.priority,
                &r.score.to_string(),
                &r.estimated_value_minor
                    .map(|v| format!("{}.{:02}", v / 100, v % 100))
                    .unwrap_or_default(),
                &r.currency,
                text(&r.assignee),
                &r.tags,
                &r.created_at.format(&Rfc3339).unwrap_or_default(),
                &r.next_follow_up_at
                    .and_then(|f| f.format(&Rfc3339).ok())
                    .unwrap_or_default(),
            ]));
            rows += 1;
            if chunk.len() > 64 * 1024 && send.send(Ok(std::mem::take(&mut chunk))).await.is_err() {
                return Ok(rows);
            }
        }
        if !chunk.is_empty() {
            let _ = send.send(Ok(chunk)).await;
        }
    }
    tenant.commit().await?;
    Ok(rows)
}

positional_row! {
    /// A card of the board, in the order of [`board`]'s select.
    struct CardRow {
        status: LeadStatus,
        id: Uuid,
        version: i32,
        first_name: String,
        last_name: String,
        company: Option<String>,
        score: i16,
        estimated_value_minor: Option<i64>,
        currency: String,
    }
}

/// The board: per status, the totals of every matching lead and the newest cards.
pub async fn board(mut tenant: Tenant, query: &LeadQuery) -> Result<Vec<BoardColumn>, AppError> {
    let filter = Filter::parse(query, tenant.actor.user_id)?;
    let mut totals = QueryBuilder::<Postgres>::new(
        "select l.status, count(*) as n, coalesce(sum(l.estimated_value_minor), 0)::bigint as value,
                coalesce(min(l.currency::text), 'USD') as currency
         from tenant_leads l where l.deleted_at is null",
    );
    scope(&mut totals, &tenant);
    filter.push(&mut totals);
    totals.push(" group by l.status");
    let totals: Vec<(LeadStatus, i64, i64, String)> =
        totals.build_query_as().fetch_all(&mut *tenant.tx).await?;
    let mut cards = QueryBuilder::<Postgres>::new(
        "select s.status, c.id, c.version, c.first_name, c.last_name, c.company, c.score,
                c.estimated_value_minor, c.currency
         from unnest(",
    );
    cards
        .push_bind(BOARD_STATUSES.to_vec())
        .push(
            "::lead_status[]) s(status) cross join lateral (
                 select l.id, l.version, l.first_name, l.last_name, l.company, l.score, l.estimated_value_minor,
                        l.currency::text as currency
                 from tenant_leads l where l.deleted_at is null and l.status = s.status",
        );
    scope(&mut cards, &tenant);
    filter.push(&mut cards);
    cards.push(" order by l.created_at desc, l.id desc");
    push_limit(&mut cards, BOARD_CARDS);
    cards.push(") c");
    let rows = CardRow::decode_all(&cards.build().fetch_all(&mut *tenant.tx).await?)?;
    tenant.commit().await?;
    Ok(BOARD_STATUSES
        .iter()
        .map(|status| {
            let total = totals.iter().find(|t| t.0 == *status);
            BoardColumn {
                status: *status,
                count: total.map(|t| t.1).unwrap_or(0),
                value: Money {
                    minor: total.map(|t| t.2).unwrap_or(0),
                    currency: total.map(|t| t.3.clone()).unwrap_or_else(|| "USD".into()),
                },
                cards: rows
                    .iter()
                    .filter(|r| r.status == *status)
                    .map(|r| BoardCard {
                        id: r.id,
                        version: r.version,
                        name: full_name(&r.first_name, &r.last_name),
                        company: r.company.clone(),
                        score: r.score,
                        value: r.estimated_value_minor.map(|minor| Money {
                            minor,
                            currency: r.currency.clone(),
                        }),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// Saves the caller's current filter and sort under a name (their own, private).
pub async fn save_view(mut tenant: Tenant, name: &str, query: &LeadQuery) -> Result<(), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::field(
            "name",
            "Name the view (1 to 60 characters).",
        ));
    }
    // Checked like the list checks it, so a saved view always opens.
    Filter::parse(query, tenant.actor.user_id)?;
    let stored = query.first_page().to_query();
    if stored.len() > 2_000 {
        return Err(AppError::field(
            "name",
            "This view's filter is too long to save.",
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into saved_views (organization_id, id, user_id, name, query) values ($1, $2, $3, $4, $5)",
        tenant.org.id,
        id,
        tenant.actor.user_id,
        name,
        stored,
    )
    .execute(&mut *tenant.tx)
    .await?;
    tenant
        .audit(Entry {
            action: "lead_view.saved",
            entity_type: "saved_view",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(json!({ "name": name, "query": stored })),
        })
        .await?;
    tenant.commit().await
}

/// Deletes one of the caller's saved views; someone else's (or a missing one) is left
/// alone.
pub async fn delete_view(mut tenant: Tenant, id: Uuid) -> Result<(), AppError> {
    let deleted = sqlx::query_scalar!(
        "delete from saved_views where id = $1 and user_id = $2 returning name",
        id,
        tenant.actor.user_id
    )
    .fetch_optional(&mut *tenant.tx)
    .await?;
    if let Some(name) = deleted {
        tenant
            .audit(Entry {
                action: "lead_view.deleted",
                entity_type: "saved_view",
                entity_id: Some(id.to_string()),
                before: Some(json!({ "name": name })),
                after: None,
            })
            .await?;
    }
    tenant.commit().await
}

#[cfg(test)]
mod tests {
    use super::{event_title, full_name};
    use serde_json::json;

    #[test]
    fn timeline_titles_read_as_sentences_with_status_labels() {
        let moved = json!({ "from": "qualified", "to": "converted" });
        assert_eq!(
            event_title("status_changed", &moved),
            "Status: Qualified → Converted"
        );
        let first = json!({ "to": "new" });
        assert_eq!(
            event_title("status_changed", &first),
            "Status changed to New"
        );
        // A status the pipeline does not know is shown as written, not dropped.
        let odd = json!({ "from": "on_hold", "to": "new" });
        assert_eq!(event_title("status_changed", &odd), "Status: on hold → New");
        let none = serde_json::Value::Null;
        assert_eq!(event_title("meeting_booked", &none), "Meeting booked");
        assert_eq!(event_title("ölf_event", &none), "Ölf event");
        assert_eq!(event_title("", &none), "");
    }

    #[test]
    fn full_names_are_joined_and_trimmed_with_a_stand_in_when_empty() {
        assert_eq!(full_name("Ada", "Lovelace"), "Ada Lovelace");
        assert_eq!(full_name(" Ada ", " Lovelace "), "Ada   Lovelace");
        assert_eq!(full_name("", "Lovelace"), "Lovelace");
        assert_eq!(full_name("  ", " Lovelace"), "Lovelace");
        assert_eq!(full_name("Ada", "  "), "Ada");
        assert_eq!(full_name(" ", ""), "(no name)");
    }
}
