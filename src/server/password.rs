//! Password hashing with argon2id.
//!
//! Hashing is deliberately slow (about 20 MiB and tens of milliseconds), so it runs on the
//! blocking pool, and a semaphore keeps a burst of sign-ins from taking every core.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Argon2, Params};
use std::fmt;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// The shortest password accepted.
pub const MIN_LEN: usize = 8;
/// The longest password accepted (argon2 cost does not depend on it, but storage does).
pub const MAX_LEN: usize = 128;

/// A password as typed. Its `Debug` output never shows the text.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Accepts any password of 8 to 128 characters that is not on the common-passwords
    /// list; no composition rules (NIST 800-63B).
    pub fn parse(text: String) -> Result<Self, &'static str> {
        let len = text.chars().count();
        if len < MIN_LEN {
            Err("Use at least 8 characters.")
        } else if len > MAX_LEN {
            Err("Use at most 128 characters.")
        } else if is_common(&text) {
            Err(
                "That password is one of the most common ones. Choose another, a short phrase works well.",
            )
        } else {
            Ok(Password(text))
        }
    }

    /// Accepts what was typed into a sign-in form as it is (the rules apply to new
    /// passwords only; an old password may predate them). Still bounded in length, so a
    /// megabyte "password" never reaches the hasher.
    pub fn for_sign_in(text: String) -> Result<Self, &'static str> {
        if text.is_empty() {
            Err("Enter your password.")
        } else if text.chars().count() > MAX_LEN {
            Err("Use at most 128 characters.")
        } else {
            Ok(Password(text))
        }
    }

    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Hashing failed for a reason other than a wrong password (a corrupt stored hash, or the
/// blocking pool shut down).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

const COMMON: &str = include_str!("common_passwords.txt");

/// Whether the password is on the list of common passwords (case-insensitive).
pub fn is_common(text: &str) -> bool {
    let lower = text.to_lowercase();
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.trim() == lower)
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        Semaphore::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        )
    })
}

/// The hasher with the parameters in force: argon2id, m=19 MiB, t=2, p=1 (OWASP's
/// minimum, and the argon2 crate's defaults).
fn hasher() -> Argon2<'static> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        Params::default(),
    )
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: &Password) -> Result<String, HashError> {
    let password = password.clone();
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.expose(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// A hash of a random password, computed once: what an unknown email is checked
/// against, so "no such user" costs the same time as "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 24];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(&bytes, &salt)
            .map(|h| h.to_string())
            .expect("hashing random bytes succeeds")
    })
}

/// Checks `password` against the stored hash, or against a dummy hash when there is no
/// user (or no password set), taking the same time either way. `true` only for a match.
pub async fn verify_or_dummy(password: &Password, stored: Option<&str>) -> Result<bool, HashError> {
    match stored {
        Some(stored) => verify(password, stored).await,
        None => {
            let dummy = tokio::task::spawn_blocking(|| dummy_hash().to_owned())
                .await
                .map_err(|e| HashError(e.to_string()))?;
            verify(password, &dummy).await.map(|_| false)
        }
    }
}

/// Whether a stored hash was made with weaker settings than today's (another algorithm,
/// or lower memory, iterations or parallelism) and should be replaced at sign-in.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm != argon2::Algorithm::Argon2id.ident() {
        return true;
    }
    let current = Params::default();
    match Params::try_from(&parsed) {
        Ok(p) => {
            p.m_cost() < current.m_cost()
                || p.t_cost() < current.t_cost()
                || p.p_cost() < current.p_cost()
        }
        Err(_) => true,
    }
}

/// Whether `password` matches the stored PHC string.
pub async fn verify(password: &Password, stored: &str) -> Result<bool, HashError> {
    let password = password.clone();
    let stored = stored.to_owned();
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|e| HashError(e.to_string()))?;
        Ok(hasher().verify_password(password.expose(), &parsed).is_ok())
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("long enough".into()).is_ok());
        assert!(Password::parse("x".repeat(129)).is_err());
        assert!(
            Password::parse("é".repeat(8)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(Password::parse("Password123".into()).is_err());
        assert!(Password::parse("QWERTYUIOP".into()).is_err());
        assert!(Password::parse("plum orchard 42".into()).is_ok());
        assert!(!is_common("# Passwords of 8 or more characters"));
    }

    #[test]
    fn weaker_hashes_are_flagged_for_upgrade() {
        let weak = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"x", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(needs_rehash(&weak));
        let strong = hasher()
            .hash_password(b"x", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(!needs_rehash(&strong));
        assert!(needs_rehash("not a phc string"));
    }

    #[tokio::test]
    async fn unknown_users_are_checked_against_a_dummy_hash() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        assert!(!verify_or_dummy(&p, None).await.unwrap());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("correct horse".into()).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_with_owasp_parameters() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        let h = hash(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&p, &h).await.unwrap());
        let wrong = Password::parse("correct horse battery!".into()).unwrap();
        assert!(!verify(&wrong, &h).await.unwrap());
    }
}
