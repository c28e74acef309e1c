//! Bulk actions on leads: assign, change status, tag or delete the selected leads, or
//! every lead the current filter matches, within the caller's record scope. One
//! transaction: the leads are locked, changed set-wise (each edit bumps the version, so
//! an editor with the old one is told of the conflict), every lead's journey records
//! it, and one audit entry lists them all.

use super::db::{Filter, assignee_name, scope};
use super::model::{BULK_LIMIT, LeadQuery, LeadStatus, parse_tags};
use crate::error::AppError;
use crate::server::audit::Entry;
use crate::server::guard::Tenant;
use serde_json::json;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// Which leads: the ones ticked on the page, or all that the filter matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkTarget {
    /// These leads (those outside the caller's scope are left out).
    Selected(Vec<Uuid>),
    /// Every lead the list's filter matches.
    Filter,
}

/// What to do to the leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkAction {
    /// Assign to a member, or to nobody.
    Assign(Option<Uuid>),
    /// Move to a status (not lost or unqualified: those need a reason each).
    Status(LeadStatus),
    /// Add a tag.
    Tag(String),
    /// Delete (soft: the rows stay for the audit trail).
    Delete,
}

impl BulkAction {
    /// Parses the form: the action's name and its value.
    pub fn parse(action: &str, value: Option<&str>) -> Result<BulkAction, AppError> {
        let value = value.map(str::trim).unwrap_or("");
        match action {
            "assign" => match value {
                "" => Err(AppError::field("assignee", "Choose a member, or Nobody.")),
                "none" => Ok(BulkAction::Assign(None)),
                v => Uuid::parse_str(v)
                    .map(|u| BulkAction::Assign(Some(u)))
                    .map_err(|_| AppError::field("assignee", "Choose one of the listed members.")),
            },
            "status" => match LeadStatus::parse(value) {
                Some(LeadStatus::Lost | LeadStatus::Unqualified) => Err(AppError::field(
                    "status",
                    "Mark leads lost or unqualified one at a time, from each lead's page: each needs a reason.",
                )),
                Some(s) => Ok(BulkAction::Status(s)),
                None => Err(AppError::field(
                    "status",
                    "Choose one of the listed statuses.",
                )),
            },
            "tag" => {
                let tags = parse_tags(value).map_err(|m| AppError::field("tag", m))?;
                match tags.as_slice() {
                    [one] => Ok(BulkAction::Tag(one.clone())),
                    _ => Err(AppError::field("tag", "Enter one tag to add.")),
                }
            }
            "delete" => Ok(BulkAction::Delete),
            _ => Err(AppError::field(
                "action",
                "Choose one of the listed actions.",
            )),
        }
    }

    fn key(&self) -> &'static str {
        match self {
            BulkAction::Assign(_) => "assigned",
            BulkAction::Status(_) => "status_changed",
            BulkAction::Tag(_) => "tagged",
            BulkAction::Delete => "deleted",
        }
    }
}

/// Locks and returns the leads the action applies to: the selection (still in scope
/// and matching nothing else), or the whole filter. More than [`BULK_LIMIT`] is refused.
async fn targets(
    tenant: &mut Tenant,
    query: &LeadQuery,
    target: &BulkTarget,
) -> Result<Vec<Uuid>, AppError> {
    let mut qb =
        QueryBuilder::<Postgres>::new("select l.id from leads l where l.deleted_at is null");
    match target {
        BulkTarget::Selected(ids) => {
            if ids.is_empty() {
                return Err(AppError::field("ids", "Select at least one lead first."));
            }
            qb.push(" and l.id = any(").push_bind(ids.clone()).push(")");
        }
        BulkTarget::Filter => {
            Filter::parse(query, tenant.actor.user_id)?.push(&mut qb);
        }
    }
    scope(&mut qb, tenant);
    qb.push(" order by l.id");
    super::db::push_limit(&mut qb, BULK_LIMIT + 1);
    qb.push(" for update");
    let ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *tenant.tx).await?;
    if ids.len() as i64 > BULK_LIMIT {
        return Err(AppError::field(
            "target",
            "This filter matches more than 1,000 leads. Narrow it down, or act on a selection.",
        ));
    }
    if ids.is_empty() {
        return Err(AppError::field("ids", "No lead you can change matches."));
    }
    Ok(ids)
}

/// Applies the action; returns how many leads it changed (a lead that already had the
/// change is left alone and not counted).
pub async fn apply(
    mut tenant: Tenant,
    query: &LeadQuery,
    target: &BulkTarget,
    action: &BulkAction,
) -> Result<usize, AppError> {
    let ids = targets(&mut tenant, query, target).await?;
    let (changed, detail) = match action {
        BulkAction::Assign(assignee) => {
            let name = match assignee {
                Some(a) => Some(assignee_name(&mut tenant, *a).await?),
                None => None,
            };
            let changed = sqlx::query_scalar!(
                "update leads set assignee_id = $2, version = version + 1
                 where id = any($1) and assignee_id is distinct from $2 returning id",
                &ids,
                *assignee
            )
            .fetch_all(&mut *tenant.tx)
            .await?;
            let to_name = name.unwrap_or_else(|| "nobody".into());
            (changed, json!({ "to": assignee, "to_name": to_name }))
        }
        BulkAction::Status(status) => {
            let changed = sqlx::query_scalar!(
                "update leads set status = $2, lost_reason = null,
                                  converted_at = case when $2 = 'converted'::lead_status then now() else converted_at end,
                                  version = version + 1
                 where id = any($1) and status <> $2 returning id",
                &ids,
                *status as LeadStatus
            )
            .fetch_all(&mut *tenant.tx)
            .await?;
            (changed, json!({ "to": status.key() }))
        }
        BulkAction::Tag(tag) => {
            let changed = sqlx::query_scalar!(
                "update leads set tags = array_append(tags, $2), version = version + 1
                 where id = any($1) and not tags @> array[$2]::text[] returning id",
                &ids,
                tag
            )
            .fetch_all(&mut *tenant.tx)
            .await?;
            (changed, json!({ "tag": tag }))
        }
        BulkAction::Delete => {
            let changed = sqlx::query_scalar!(
                "update leads set deleted_at = now(), version = version + 1 where id = any($1) returning id",
                &ids
            )
            .fetch_all(&mut *tenant.tx)
            .await?;
            (changed, json!({}))
        }
    };
    let events: Vec<Uuid> = changed.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        "insert into journey_events (organization_id, id, lead_id, kind, detail, actor_id)
         select $1, e.id, e.lead, $4, $5 || jsonb_build_object('bulk', true), $6
         from unnest($2::uuid[], $3::uuid[]) as e(id, lead)",
        tenant.org.id,
        &events,
        &changed,
        action.key(),
        detail.clone(),
        tenant.actor.user_id,
    )
    .execute(&mut *tenant.tx)
    .await?;
    if matches!(action, BulkAction::Status(_)) {
        for id in &changed {
            super::scoring::recompute(&mut tenant, *id).await?;
        }
    }
    tenant
        .audit(Entry {
            action: match action {
                BulkAction::Assign(_) => "lead.bulk_assigned",
                BulkAction::Status(_) => "lead.bulk_status_changed",
                BulkAction::Tag(_) => "lead.bulk_tagged",
                BulkAction::Delete => "lead.bulk_deleted",
            },
            entity_type: "lead",
            entity_id: None,
            before: None,
            after: Some(json!({ "count": changed.len(), "leads": changed, "change": detail })),
        })
        .await?;
    tenant.commit().await?;
    Ok(changed.len())
}
