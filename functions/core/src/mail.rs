//! The RFC 5322 form of a [`Mail`], the same for every transport: the `.eml` outbox writes it,
//! SES sends it raw. Pure: bytes from values.
//!
//! The mail carries its stable id twice: as `Message-ID` (`<{id}@fallwerk.local>`), and as
//! `X-Fallwerk-Message-ID`, because Amazon SES replaces a given `Message-ID` with its own
//! ("Amazon SES header fields" in the SES developer guide) while it keeps other headers. A
//! mail sent twice after a consumer crash (see `workers::protocol`) is thereby recognisable
//! as one by the receiver.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{self, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::ports::{Mail, MailError, sha256_hex};

/// The domain of the `Message-ID`s fallwerk writes.
pub const MESSAGE_ID_DOMAIN: &str = "fallwerk.local";

/// The header that carries the mail's id on every transport.
pub const ID_HEADER: &str = "X-Fallwerk-Message-ID";

/// The longest id kept verbatim in a `Message-ID`.
const MAX_ID_LEN: usize = 100;

/// `<{id}@fallwerk.local>`; an id that is not RFC 5322 `dot-atom-text` is replaced by a safe
/// form plus a hash of it (fallwerk's ids pass unchanged).
pub fn message_id(id: &str) -> String {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = !id.is_empty() && id.split('.').all(|s| !s.is_empty() && s.chars().all(atext));
    if dot_atom {
        format!("<{id}@{MESSAGE_ID_DOMAIN}>")
    } else {
        format!("<{}@{MESSAGE_ID_DOMAIN}>", safe_id(id))
    }
}

/// The id as header text: itself when it is printable ASCII, else a safe form plus a hash.
fn safe_id(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_ID_LEN)
        .collect();
    let hash = sha256_hex(id.as_bytes());
    format!("{safe}-{}", &hash[..16])
}

#[derive(Debug, Clone)]
struct FallwerkId(String);

impl Header for FallwerkId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(ID_HEADER)
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(FallwerkId(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The RFC 5322 bytes of `mail`, dated `date`: UTF-8 bodies, RFC 2047 subject,
/// `multipart/alternative` when there is an HTML part.
pub fn render(mail: &Mail, date: DateTime<Utc>) -> Result<Vec<u8>, MailError> {
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|e| MailError::Permanent(format!("invalid sender address: {e}")))?;
    if mail.to.is_empty() {
        return Err(MailError::Permanent("mail has no recipient".into()));
    }
    let printable = !mail.id.is_empty() && mail.id.chars().all(|c| c.is_ascii_graphic());
    let id_text = if printable && mail.id.len() <= MAX_ID_LEN {
        mail.id.clone()
    } else {
        safe_id(&mail.id)
    };
    let mut builder = Message::builder()
        .from(from)
        .subject(mail.subject.clone())
        .date(SystemTime::from(date))
        .message_id(Some(message_id(&mail.id)))
        .header(FallwerkId(id_text));
    for to in &mail.to {
        let to: Mailbox = to
            .parse()
            .map_err(|e| MailError::Permanent(format!("invalid recipient address: {e}")))?;
        builder = builder.to(to);
    }
    let message = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            html.clone(),
        )),
        // Not `singlepart`: that appends a CRLF the reader would see as an extra line.
        None => builder
            .header(header::MIME_VERSION_1_0)
            .header(header::ContentType::TEXT_PLAIN)
            .body(mail.text.clone()),
    }
    .map_err(|e| MailError::Permanent(format!("cannot build mail: {e}")))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_valid() {
        assert_eq!(message_id("7f3c-a1"), "<7f3c-a1@fallwerk.local>");
        let odd = message_id("../a b");
        assert!(
            odd.starts_with("<___a_b-") && odd.ends_with("@fallwerk.local>"),
            "{odd}"
        );
    }

    #[test]
    fn the_id_is_in_both_headers() {
        let mail = Mail {
            id: "c-1:3:applicant".into(),
            from: "fallwerk@amt.example".into(),
            to: vec!["erika@example.org".into()],
            subject: "Neuigkeiten zu Ihrem Antrag".into(),
            text: "Hallo".into(),
            html: None,
        };
        let raw = render(&mail, DateTime::UNIX_EPOCH).expect("render");
        let raw = String::from_utf8(raw).expect("utf-8");
        assert!(
            raw.contains("X-Fallwerk-Message-ID: c-1:3:applicant\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Message-ID: <c-1_3_applicant-"), "{raw}");
    }
}
