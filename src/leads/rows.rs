//! The rows of the leads table, written straight into one string.
//!
//! The table body is most of the list page (50 rows, about two thirds of its bytes), and
//! drawing it through the view tree cost thousands of small allocations per page: a
//! component, its props and an owned copy of every attribute for each cell. Here each row
//! is written once into a buffer sized for the page, every value escaped on the way. The
//! markup is the same a `view!` would give (the badge takes its class from the design
//! system's `Tone`), and the body is rendered on the server only, so nothing hydrates it.

use super::model::LeadRow;
use super::pages::status_tone;
use crate::ui::html::push_escaped;
use std::fmt::Write;

/// The `<tr>`s of the leads table. `base` is the list's address (`/o/{org}/leads`); each
/// name links to `{base}/{id}`. With `selectable`, each row starts with the checkbox that
/// puts the lead in the bulk form (`bulk[ids][i]`).
pub fn rows_html(rows: &[LeadRow], base: &str, selectable: bool) -> String {
    let mut out = String::with_capacity(rows.len() * 640);
    for (i, r) in rows.iter().enumerate() {
        out.push_str("<tr>");
        if selectable {
            let _ = write!(
                out,
                r#"<td><input type="checkbox" name="bulk[ids][{i}]" value="{}" aria-label="Select "#,
                r.id
            );
            push_escaped(&mut out, &r.name);
            out.push_str(r#""></td>"#);
        }
        out.push_str(r#"<td><a href=""#);
        push_escaped(&mut out, base);
        let _ = write!(out, r#"/{}" class="link">"#, r.id);
        push_escaped(&mut out, &r.name);
        out.push_str(r#"</a><div class="lead-email">"#);
        push_escaped(&mut out, r.email.as_deref().unwrap_or_default());
        out.push_str("</div></td><td>");
        push_escaped(&mut out, r.company.as_deref().unwrap_or_default());
        let _ = write!(
            out,
            r#"</td><td><span class="{}">{}</span></td><td class="num">{}</td><td class="num">"#,
            status_tone(r.status).class(),
            r.status.label(),
            r.score
        );
        if let Some(value) = &r.value {
            push_escaped(&mut out, &value.display());
        }
        out.push_str("</td><td>");
        push_escaped(&mut out, r.assignee.as_deref().unwrap_or("—"));
        out.push_str(r#"</td><td class="date">"#);
        push_escaped(&mut out, r.follow_up_on.as_deref().unwrap_or_default());
        out.push_str(r#"</td><td class="date">"#);
        push_escaped(&mut out, &r.created_on);
        out.push_str("</td></tr>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::model::{LeadPriority, LeadStatus};
    use crate::org::model::Money;
    use uuid::Uuid;

    fn row(name: &str) -> LeadRow {
        LeadRow {
            id: Uuid::nil(),
            name: name.to_owned(),
            email: Some("a&b@example.com".to_owned()),
            company: Some("<Acme> \"Ltd\"".to_owned()),
            status: LeadStatus::Converted,
            priority: LeadPriority::Hot,
            score: 72,
            value: Some(Money {
                minor: 1_234_550,
                currency: "USD".to_owned(),
            }),
            assignee: None,
            created_on: "2026-12-01".to_owned(),
            follow_up_on: None,
        }
    }

    #[test]
    fn a_row_carries_its_link_checkbox_badge_and_escaped_values() {
        let html = rows_html(&[row("Eve \"<b>\"")], "/o/acme/leads", true);
        let id = Uuid::nil();
        assert!(html.starts_with("<tr><td><input type=\"checkbox\" name=\"bulk[ids][0]\""));
        assert!(html.contains(&format!(
            "value=\"{id}\" aria-label=\"Select Eve &quot;&lt;b&gt;&quot;\""
        )));
        assert!(html.contains(&format!(
            "<a href=\"/o/acme/leads/{id}\" class=\"link\">Eve &quot;&lt;b&gt;&quot;</a>"
        )));
        assert!(html.contains("<div class=\"lead-email\">a&amp;b@example.com</div>"));
        assert!(html.contains("<td>&lt;Acme&gt; &quot;Ltd&quot;</td>"));
        assert!(html.contains("<span class=\"badge badge-success\">Converted</span>"));
        assert!(html.contains("<td class=\"num\">USD 12,345.50</td>"));
        assert!(html.contains("<td>—</td>"), "no assignee shows a dash");
        assert!(html.ends_with("<td class=\"date\"></td><td class=\"date\">2026-12-01</td></tr>"));
        assert!(!html.contains("<b>"), "no markup from the data survives");
    }

    #[test]
    fn rows_without_bulk_rights_have_no_checkbox_and_count_from_zero() {
        let html = rows_html(&[row("A"), row("B")], "/o/acme/leads", false);
        assert_eq!(html.matches("<tr>").count(), 2);
        assert!(!html.contains("checkbox"));
        let ticked = rows_html(&[row("A"), row("B")], "/o/acme/leads", true);
        assert!(ticked.contains("bulk[ids][0]") && ticked.contains("bulk[ids][1]"));
    }
}
