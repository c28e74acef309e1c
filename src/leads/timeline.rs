//! A lead's timeline, written straight into one string.
//!
//! The timeline is most of the lead's page (up to 100 entries of activities, messages and
//! journey events), and drawn as a view per entry it cost the page a few elements, an
//! owned copy of every attribute and a `format!`ed line each. As the list's rows
//! ([`super::rows`]) it is written once into a buffer sized for it, every value escaped,
//! and handed to the list element's `inner_html`: the page is rendered on the server
//! only, so nothing hydrates there. The markup is what the view wrote.

use super::model::TimelineItem;
use crate::ui::html::push_escaped;

/// The `<li>`s of a timeline, newest first as given: the headline, the time (minutes,
/// with the full timestamp in `datetime`) and who did it, and the text if there is one.
pub fn timeline_html(items: &[TimelineItem]) -> String {
    let mut out = String::with_capacity(items.len() * 240);
    for item in items {
        out.push_str(r#"<li class="border-l-2 border-line pl-3"><p class="text-sm font-medium">"#);
        push_escaped(&mut out, &item.title);
        out.push_str(r#"</p><p class="text-xs text-muted"><time datetime=""#);
        push_escaped(&mut out, &item.at);
        out.push_str(r#"">"#);
        // `2026-12-05T18:49:13Z` is shown as `2026-12-05 18:49`.
        let minutes = item.at.get(..16).unwrap_or_default();
        match minutes.split_once('T') {
            Some((day, time)) => {
                push_escaped(&mut out, day);
                out.push(' ');
                push_escaped(&mut out, time);
            }
            None => push_escaped(&mut out, minutes),
        }
        out.push_str("</time>");
        if let Some(actor) = &item.actor {
            out.push_str(" · ");
            push_escaped(&mut out, actor);
        }
        out.push_str("</p>");
        if let Some(body) = &item.body {
            out.push_str(r#"<p class="mt-1 whitespace-pre-wrap text-sm">"#);
            push_escaped(&mut out, body);
            out.push_str("</p>");
        }
        out.push_str("</li>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, actor: Option<&str>, body: Option<&str>) -> TimelineItem {
        TimelineItem {
            at: "2026-12-05T18:49:13.5Z".to_owned(),
            source: "activity".to_owned(),
            title: title.to_owned(),
            body: body.map(str::to_owned),
            actor: actor.map(str::to_owned),
        }
    }

    #[test]
    fn an_entry_carries_its_headline_time_actor_and_text_escaped() {
        let html = timeline_html(&[item(
            "Call: <b>intro</b>",
            Some("Ann & Bo"),
            Some("Said \"yes\"\nthen 'no'"),
        )]);
        assert_eq!(
            html,
            concat!(
                r#"<li class="border-l-2 border-line pl-3"><p class="text-sm font-medium">Call: &lt;b&gt;intro&lt;/b&gt;</p>"#,
                r#"<p class="text-xs text-muted"><time datetime="2026-12-05T18:49:13.5Z">2026-12-05 18:49</time> · Ann &amp; Bo</p>"#,
                r#"<p class="mt-1 whitespace-pre-wrap text-sm">Said &quot;yes&quot;"#,
                "\nthen &#39;no&#39;</p></li>"
            )
        );
    }

    #[test]
    fn entries_without_actor_or_text_leave_them_out_and_keep_their_order() {
        let html = timeline_html(&[item("First", None, None), item("Second", None, None)]);
        assert_eq!(html.matches("<li ").count(), 2);
        assert!(html.find("First").unwrap() < html.find("Second").unwrap());
        assert!(!html.contains(" · ") && !html.contains("whitespace-pre-wrap"));
        assert_eq!(timeline_html(&[]), "");
    }
}
