//! Passwords of local accounts (embedded mode): argon2id hashes as PHC strings. Used by the CLI
//! (`fallwerk user set-password`, the first admin of `fallwerk serve`) and by the web login.
//! Neither the password nor the hash is ever logged; verification is argon2's own comparison,
//! which is constant-time, and an unknown user costs the same as a wrong password.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use fallwerk_core::model::PasswordHash as StoredHash;

/// The shortest password a local account accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("das Passwort muss mindestens {MIN_PASSWORD_CHARS} Zeichen lang sein")]
    TooShort,
    #[error("das Passwort konnte nicht gehasht werden: {0}")]
    Hash(String),
}

/// argon2id, version 19, the crate's default cost (19 MiB, 2 passes, 1 lane: OWASP's minimum).
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// Hashes a new password with a fresh random salt.
pub fn hash_password(password: &str) -> Result<StoredHash, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| StoredHash(h.to_string()))
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// `true` only if `stored` is an argon2id hash of `password`. With no stored hash (unknown user,
/// account without a password) a dummy hash is verified, so the answer takes as long as a
/// wrong password and tells nothing about which accounts exist.
pub fn verify_password(stored: Option<&StoredHash>, password: &str) -> bool {
    let Some(stored) = stored else {
        let _ = check(dummy_hash(), password);
        return false;
    };
    check(&stored.0, password)
}

fn check(phc: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&random_password())
            .map(|h| h.0)
            .unwrap_or_default()
    })
}

/// A random password of 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I),
/// for the first admin of `fallwerk serve` and `fallwerk user add` without `--password`.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    // 256 % 56 != 0: the first 32 letters are a little more likely; 20 characters still carry
    // more than 110 bits.
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash_password("korrekt-pferd-batterie").expect("hash");
        assert!(h.0.starts_with("$argon2id$v=19$"), "PHC string, argon2id");
        assert!(!h.0.contains("korrekt"));
        assert!(verify_password(Some(&h), "korrekt-pferd-batterie"));
        assert!(!verify_password(Some(&h), "korrekt-pferd-batteriE"));
        assert!(!verify_password(Some(&h), ""));
    }

    #[test]
    fn salts_differ() {
        let a = hash_password("korrekt-pferd-batterie").expect("hash");
        let b = hash_password("korrekt-pferd-batterie").expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(hash_password("kurz"), Err(PasswordError::TooShort));
    }

    #[test]
    fn no_hash_or_garbage_never_verifies() {
        assert!(!verify_password(None, "irgendein-passwort"));
        let garbage = StoredHash("not a phc string".into());
        assert!(!verify_password(Some(&garbage), "not a phc string"));
        // argon2i is not accepted, even with the right password.
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let argon2i = Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            argon2::Params::default(),
        )
        .hash_password(b"korrekt-pferd-batterie", &salt)
        .expect("hash")
        .to_string();
        assert!(!verify_password(
            Some(&StoredHash(argon2i)),
            "korrekt-pferd-batterie"
        ));
    }

    #[test]
    fn random_passwords_are_long_and_differ() {
        let (a, b) = (random_password(), random_password());
        assert_eq!(a.chars().count(), 20);
        assert_ne!(a, b);
        assert!(hash_password(&a).is_ok());
    }
}
