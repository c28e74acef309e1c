//! Accounts as the browser sees them, and the parsing of what people type into the
//! sign-in and sign-up forms. Compiles for the browser too.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in person, as pages show them. Never carries the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// The user's id.
    pub id: Uuid,
    /// Their email address.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// Whether they operate the deployment.
    pub is_platform_admin: bool,
}

/// An email address as typed: trimmed, at most 254 characters, one `@` with text on
/// both sides and a dot in the domain. Deliverability is proven by the mail, not here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address; the error is a message for the form field.
    pub fn parse(text: &str) -> Result<EmailAddress, &'static str> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Enter your email address.");
        }
        if text.chars().count() > 254 {
            return Err("Email addresses are at most 254 characters.");
        }
        let valid = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !text.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(EmailAddress(text.to_owned()))
        } else {
            Err("Enter an email address like name@example.com.")
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's or an organization's display name: trimmed, 1 to 200 characters.
pub fn parse_name(text: &str, what: &'static str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err(format!("Enter {what}."))
    } else if text.chars().count() > 200 {
        Err("Use at most 200 characters.".to_owned())
    } else if text.chars().any(char::is_control) {
        Err("Remove the control characters.".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// Turns an organization name into a URL slug: lowercase letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut slug: String = slug.chars().take(48).collect();
    while slug.len() < 2 {
        slug.push('0');
    }
    slug
}

/// One active session of the signed-in user, for the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// An opaque id to revoke it by (not the cookie value).
    pub id: String,
    /// Whether it is the session making this request.
    pub current: bool,
    /// The client address when it signed in.
    pub ip: Option<String>,
    /// The browser.
    pub user_agent: Option<String>,
    /// When it signed in (RFC 3339).
    pub created_at: String,
    /// The last request (RFC 3339, written at most once a minute).
    pub last_seen_at: String,
}

/// What the account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Who is signed in.
    pub viewer: Viewer,
    /// Their active sessions, newest first.
    pub sessions: Vec<SessionInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_checked_for_shape() {
        assert_eq!(
            EmailAddress::parse("  ann@example.com ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Ann  ", "your name").unwrap(), "Ann");
        assert!(
            parse_name("   ", "your name")
                .unwrap_err()
                .contains("your name")
        );
        assert!(parse_name(&"x".repeat(201), "a name").is_err());
        assert!(parse_name("a\u{0}b", "a name").is_err());
    }

    #[test]
    fn slugs_fit_the_database_format() {
        assert_eq!(slugify("Northwind Traders, Inc."), "northwind-traders-inc");
        assert_eq!(slugify("Ölwerk ⚙ GmbH"), "lwerk-gmbh");
        assert_eq!(slugify("!!!"), "00");
        assert!(slugify(&"a".repeat(300)).len() <= 48);
    }
}
