//! Markup written straight into one string, for the parts of pages that are drawn on the
//! server only and drawn often: the design system's form fields and selects, the
//! sidebar's links, the leads list's hidden filter inputs (with [`Markup`]), and the leads
//! table's rows and a lead's timeline (with [`push_escaped`]).
//!
//! Through `view!` every element and attribute of a page is a value that tachys copies,
//! boxes and writes out one by one; a list page's selects alone hold about fifty
//! `<option>`s. A [`Markup`] writes the same HTML into one buffer, escaping every value
//! on the way, and hands it to the view tree as one inert piece. None of these pieces is
//! reactive or inside an island, so nothing hydrates them.

use leptos::tachys::html::InertElement;

/// Appends `text` to `out` with the five characters that could end an attribute or start
/// markup replaced by their entities, so it is safe in text and in quoted attributes.
pub fn push_escaped(out: &mut String, text: &str) {
    // Byte by byte: the five are ASCII, and an ASCII byte is never part of a longer UTF-8
    // character, so every cut falls between characters. (`str::find` with a set of
    // chars decoded each character: 4 % of the list page's instructions.)
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..at]);
        out.push_str(entity);
        start = at + 1;
    }
    out.push_str(&text[start..]);
}

/// HTML being written. Markup comes only from `&'static str`s of this crate
/// ([`Markup::raw`]); everything else goes through [`Markup::text`] or [`Markup::attr`],
/// which escape it.
#[derive(Debug, Default)]
pub struct Markup(String);

impl Markup {
    /// An empty buffer with room for `bytes`.
    pub fn with_capacity(bytes: usize) -> Self {
        Markup(String::with_capacity(bytes))
    }

    /// Appends markup written in this crate, as it is.
    pub fn raw(&mut self, html: &'static str) -> &mut Self {
        self.0.push_str(html);
        self
    }

    /// Appends `text`, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        push_escaped(&mut self.0, text);
        self
    }

    /// Appends ` name="value"`, the value escaped.
    pub fn attr(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        push_escaped(&mut self.0, value);
        self.0.push('"');
        self
    }

    /// Appends ` name="value"` when there is a value.
    pub fn attr_some(&mut self, name: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.attr(name, value);
        }
        self
    }

    /// Appends the boolean attribute ` name` when `on`.
    pub fn flag(&mut self, name: &'static str, on: bool) -> &mut Self {
        if on {
            self.0.push(' ');
            self.0.push_str(name);
        }
        self
    }

    /// The HTML written so far.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML, as a string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The HTML as one piece of a view, written out as it is. Outside islands, where
    /// nothing hydrates, it may be any markup; inside one it must be a single element,
    /// which is what the hydrating island expects to find there.
    pub fn into_view(self) -> InertElement {
        InertElement::new(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_character_that_could_break_out() {
        let mut out = String::new();
        push_escaped(&mut out, r#"<script>alert('x' & "y")</script>"#);
        assert_eq!(
            out,
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        let mut plain = String::new();
        push_escaped(&mut plain, "Zoë Ångström");
        assert_eq!(plain, "Zoë Ångström");
        let mut mixed = String::from("kept ");
        push_escaped(&mut mixed, "ö&ü<'—'>\"");
        assert_eq!(mixed, "kept ö&amp;ü&lt;&#39;—&#39;&gt;&quot;");
    }

    #[test]
    fn attributes_are_escaped_and_optional_ones_left_out() {
        let mut m = Markup::default();
        m.raw("<input")
            .attr("value", r#"" onfocus="x"#)
            .attr_some("placeholder", None)
            .attr_some("autocomplete", Some("off"))
            .flag("required", true)
            .flag("disabled", false)
            .raw(">");
        assert_eq!(
            m.as_str(),
            r#"<input value="&quot; onfocus=&quot;x" autocomplete="off" required>"#
        );
    }
}
