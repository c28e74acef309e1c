//! CSV lines for exports, safe to open in a spreadsheet.

/// One CSV line (RFC 4180 quoting, CRLF). A cell that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with
/// `'`, so opening an export never executes what a lead typed into a form (OWASP, CSV
/// injection).
pub fn line(cells: &[&str]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let neutral = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            (*cell).to_owned()
        };
        if neutral.contains([',', '"', '\n', '\r']) || neutral != neutral.trim() {
            out.push('"');
            out.push_str(&neutral.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&neutral);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(line(&["a", "b"]), "a,b\r\n");
        assert_eq!(
            line(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(line(&["+1", "-2", "@cmd"]), "'+1,'-2,'@cmd\r\n");
        assert_eq!(line(&["Smith, Jones"]), "\"Smith, Jones\"\r\n");
        assert_eq!(line(&["two\nlines"]), "\"two\nlines\"\r\n");
    }
}
