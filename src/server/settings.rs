//! Security settings in their parsed, ready-to-use form.

use super::config::SecurityArgs;
use std::net::IpAddr;
use std::time::Duration;

/// An origin: scheme plus host and port, lowercase (`https://revdesk.example.com`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// Host and, when given, port.
    pub authority: String,
}

impl Origin {
    /// Parses the origin part of a URL; `None` for anything that is not `http(s)://host…`
    /// (including the literal `null` browsers send for opaque origins).
    pub fn parse(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        Some(Origin { scheme, authority })
    }

    /// `scheme://authority`.
    pub fn to_url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

/// An address range (`10.0.0.0/8`, or one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Parses `addr` or `addr/prefix`.
    pub fn parse(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or range"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a bad prefix length"))?,
            None => max,
        };
        Ok(IpRange { network, prefix })
    }

    /// Whether `ip` is inside the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - prefix)
            }
        }
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u32::from(n) as u128, self.prefix, 32)
                    == masked(u32::from(a) as u128, self.prefix, 32)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(n), self.prefix, 128) == masked(u128::from(a), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// Everything the security layers need to know, parsed once at start-up.
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    /// The configured public origin; `None` means "the request's Host".
    pub public_origin: Option<Origin>,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in.
    pub absolute_timeout: Duration,
    /// A session's last-seen time is written at most this often.
    pub touch_interval: Duration,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpRange>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            public_origin: None,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            touch_interval: Duration::from_secs(60),
            trusted_proxies: Vec::new(),
        }
    }
}

impl SecuritySettings {
    /// Validates the command-line settings.
    pub fn from_args(args: &SecurityArgs) -> Result<Self, String> {
        let public_origin = match args.public_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Some(
                Origin::parse(url)
                    .ok_or_else(|| format!("REVDESK_PUBLIC_URL `{url}` is not an http(s) URL"))?,
            ),
            None => None,
        };
        if args.session_idle_minutes == 0 || args.session_absolute_hours == 0 {
            return Err("session timeouts must be at least one minute and one hour".into());
        }
        Ok(SecuritySettings {
            public_origin,
            idle_timeout: Duration::from_secs(args.session_idle_minutes * 60),
            absolute_timeout: Duration::from_secs(args.session_absolute_hours * 3600),
            touch_interval: Duration::from_secs(60),
            trusted_proxies: args
                .trusted_proxies
                .iter()
                .filter(|t| !t.trim().is_empty())
                .map(|t| IpRange::parse(t))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether cookies must be `Secure` (and the session cookie `__Host-` prefixed).
    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_ref()
            .is_some_and(|o| o.scheme == "https")
    }

    /// The name of the session cookie.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-revdesk_session"
        } else {
            "revdesk_session"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_ignore_path_and_case_and_refuse_opaque_ones() {
        let o = Origin::parse("HTTPS://Revdesk.Example.com:8443/o/x?y#z").unwrap();
        assert_eq!(o.to_url(), "https://revdesk.example.com:8443");
        assert_eq!(Origin::parse("null"), None);
        assert_eq!(Origin::parse("file:///etc/passwd"), None);
        assert_eq!(Origin::parse("https://user@evil.example"), None);
    }

    #[test]
    fn ranges_match_by_prefix() {
        let r = IpRange::parse("10.1.0.0/16").unwrap();
        assert!(r.contains("10.1.200.3".parse().unwrap()));
        assert!(!r.contains("10.2.0.1".parse().unwrap()));
        assert!(
            r.contains("::ffff:10.1.0.9".parse().unwrap()),
            "v4-mapped v6"
        );
        let one = IpRange::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(IpRange::parse("10.0.0.0/33").is_err());
        assert!(IpRange::parse("example.com").is_err());
    }

    #[test]
    fn secure_cookies_follow_the_public_url() {
        let mut s = SecuritySettings::default();
        assert_eq!(s.session_cookie_name(), "revdesk_session");
        s.public_origin = Origin::parse("https://crm.example");
        assert!(s.secure_cookies());
        assert_eq!(s.session_cookie_name(), "__Host-revdesk_session");
    }
}
