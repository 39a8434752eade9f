//! The idempotency fingerprint of a submission: what makes a repeated submission id the same
//! submission (the first case is returned) or a different one (refused).
//!
//! Version 2 (marked `v2:`) is computed by the edge from the parsed request, with each document
//! represented by its declared size and SHA-256 instead of its base64 text: hashing a
//! canonical copy of the whole body was a sixth of intake's CPU (docs/BENCHMARKS.md). The
//! declared checksum is checked against the bytes before a case is created, so equal
//! fingerprints still mean equal documents. Fingerprints stored before version 2 carry no mark;
//! they are compared with the fingerprint the body had then, computed only in that case.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::canonical::{HashWriter, write_canonical};

/// The mark of a version-2 fingerprint.
pub const FINGERPRINT_V2: &str = "v2:";

/// The fingerprint of the body at hand, and how to compute the earlier kind for it.
pub struct Fingerprint {
    current: String,
    earlier: Option<Box<dyn FnOnce() -> Option<String> + Send>>,
}

impl Fingerprint {
    pub fn new(current: String) -> Self {
        Fingerprint {
            current,
            earlier: None,
        }
    }

    /// `earlier` computes the fingerprint an earlier fallwerk stored for the same body; it
    /// runs only when a stored fingerprint without a version mark is compared.
    pub fn with_earlier(
        mut self,
        earlier: impl FnOnce() -> Option<String> + Send + 'static,
    ) -> Self {
        self.earlier = Some(Box::new(earlier));
        self
    }

    /// The fingerprint to store with a new case.
    pub fn as_str(&self) -> &str {
        &self.current
    }

    /// Whether `stored` (from the first submission under this id) names the same body.
    pub fn matches(self, stored: &str) -> bool {
        if stored == self.current {
            return true;
        }
        match self.earlier {
            Some(earlier) if !stored.starts_with(FINGERPRINT_V2) => {
                earlier().is_some_and(|e| e == stored)
            }
            _ => false,
        }
    }
}

impl From<String> for Fingerprint {
    fn from(current: String) -> Self {
        Fingerprint::new(current)
    }
}

impl From<&String> for Fingerprint {
    fn from(current: &String) -> Self {
        Fingerprint::new(current.clone())
    }
}

impl From<&str> for Fingerprint {
    fn from(current: &str) -> Self {
        Fingerprint::new(current.to_string())
    }
}

/// A version-2 fingerprint: SHA-256 over the canonical forms of `parts`, one after the other
/// (canonical JSON delimits itself, so the sequence is unambiguous), marked `v2:`.
pub fn fingerprint_v2(parts: &[&Value]) -> String {
    let mut hash = HashWriter(Sha256::new());
    for part in parts {
        // Writing into a hash cannot fail; a `Value` always serialises.
        let _ = write_canonical(part, &mut hash);
    }
    format!("{FINGERPRINT_V2}{}", hex::encode(hash.0.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_and_white_space_do_not_matter_content_does() {
        let a = fingerprint_v2(&[&json!({"a": 1, "b": [1, "x"]}), &json!({"f": "ä"})]);
        let b = fingerprint_v2(&[&json!({"b": [1, "x"], "a": 1}), &json!({"f": "ä"})]);
        let c = fingerprint_v2(&[&json!({"a": 1, "b": [1, "y"]}), &json!({"f": "ä"})]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with(FINGERPRINT_V2));
        assert_eq!(a.len(), FINGERPRINT_V2.len() + 64);
    }

    #[test]
    fn parts_do_not_run_into_each_other() {
        let split = fingerprint_v2(&[&json!("ab"), &json!("c")]);
        let other = fingerprint_v2(&[&json!("a"), &json!("bc")]);
        assert_ne!(split, other);
    }

    #[test]
    fn a_stored_fingerprint_without_mark_is_compared_with_the_earlier_kind() {
        let f = || Fingerprint::new("v2:new".into()).with_earlier(|| Some("old".into()));
        assert!(f().matches("v2:new"));
        assert!(f().matches("old"));
        assert!(!f().matches("other"));
        assert!(!f().matches("v2:other"));
        // A marked stored fingerprint never falls back to the earlier kind.
        let never = Fingerprint::new("v2:new".into()).with_earlier(|| panic!("not needed"));
        assert!(!never.matches("v2:old"));
        assert!(!Fingerprint::from("x").matches("old"));
    }
}
