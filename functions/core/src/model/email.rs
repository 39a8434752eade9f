//! E-mail addresses, checked once where they enter (portal intake, `/antrag`, administration):
//! one plain `local@domain`, nothing that could inject a header (CR/LF) or a second recipient,
//! so a notice cannot fail late for an address that was never one.

use serde::Serialize;

/// Why an e-mail address is refused; the text names the problem precisely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 254 characters")]
    TooLong,
    #[error("must be one address without a line break (CR or LF)")]
    LineBreak,
    #[error("must be one address without spaces, control characters, commas or angle brackets")]
    NotOneAddress,
    #[error("must have the form name@domain: it has no @")]
    NoAt,
    #[error("must be one address: it has more than one @")]
    SeveralAt,
    #[error("must have the form name@domain (name or domain missing)")]
    Malformed,
    #[error("has a domain that is not a host name (e.g. amt.example)")]
    BadDomain,
}

/// A checked e-mail address (trimmed of surrounding white space).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks `raw` (surrounding spaces are dropped, line breaks anywhere are refused).
    pub fn parse(raw: &str) -> Result<EmailAddress, EmailError> {
        if raw.contains(['\r', '\n']) {
            return Err(EmailError::LineBreak);
        }
        let address = raw.trim();
        validate_email(address)?;
        Ok(EmailAddress(address.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One plain address `local@domain`, exactly as given (no trimming).
pub fn validate_email(address: &str) -> Result<(), EmailError> {
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    if address.len() > 254 {
        return Err(EmailError::TooLong);
    }
    if address.contains(['\r', '\n']) {
        return Err(EmailError::LineBreak);
    }
    if address
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"'))
    {
        return Err(EmailError::NotOneAddress);
    }
    let mut parts = address.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(_), None, _) => return Err(EmailError::NoAt),
        (_, _, Some(_)) => return Err(EmailError::SeveralAt),
        (Some(local), Some(domain), None) => (local, domain),
        _ => return Err(EmailError::Malformed),
    };
    if local.is_empty() || domain.is_empty() {
        return Err(EmailError::Malformed);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok) {
        return Err(EmailError::BadDomain);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass() {
        for ok in [
            "a@b.de",
            "erika.mustermann@example.org",
            "x+tag@amt.example",
            "jürgen@müller.de",
            "oe1@localhost",
        ] {
            assert_eq!(validate_email(ok), Ok(()), "{ok}");
        }
        let a = EmailAddress::parse("  a@b.de ").expect("trimmed");
        assert_eq!(a.as_str(), "a@b.de");
    }

    #[test]
    fn every_problem_is_named() {
        let cases: &[(&str, EmailError)] = &[
            ("", EmailError::Empty),
            ("a@b.de\r\nBcc: x@y.de", EmailError::LineBreak),
            ("a@b.de\n", EmailError::LineBreak),
            ("a@b.de, c@d.de", EmailError::NotOneAddress),
            ("A <a@b.de>", EmailError::NotOneAddress),
            ("a b@c.de", EmailError::NotOneAddress),
            ("a\u{7}@c.de", EmailError::NotOneAddress),
            ("ab.de", EmailError::NoAt),
            ("a@b@c.de", EmailError::SeveralAt),
            ("@b.de", EmailError::Malformed),
            ("a@", EmailError::Malformed),
            ("a@.de", EmailError::BadDomain),
            ("a@b.de.", EmailError::BadDomain),
            ("a@b..de", EmailError::BadDomain),
            ("a@-b.de", EmailError::BadDomain),
            ("a@b_c.de", EmailError::BadDomain),
        ];
        for (raw, want) in cases {
            assert_eq!(validate_email(raw).as_ref(), Err(want), "{raw:?}");
        }
        assert_eq!(
            validate_email(&format!("{}@b.de", "x".repeat(260))),
            Err(EmailError::TooLong)
        );
        // Parsing refuses line breaks even where trimming would remove them.
        assert_eq!(
            EmailAddress::parse("a@b.de\r\n"),
            Err(EmailError::LineBreak)
        );
    }
}
