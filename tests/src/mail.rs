//! The e-mail sink, read the way an operator would: the `.eml` files of the embedded outbox
//! (parsed as RFC 5322, bodies decoded) or the mails an SES emulator accepted, through that
//! emulator's own API — moto's `/moto-api/data.json` or LocalStack's `/_aws/ses` ([`MailApi`],
//! chosen by `FALLWERK_E2E_MAIL_API`). Formatted (`SendEmail`) and raw (`SendRawEmail`) mails
//! are both read; raw ones are parsed like an outbox file.

use std::path::{Path, PathBuf};

/// One sent e-mail, reduced to what the scenario checks.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    /// Every text part (plain and HTML), decoded.
    pub body: String,
    /// The mail's stable id (`X-Fallwerk-Message-ID`: the queue message id), where present.
    pub id: Option<String>,
}

impl Mail {
    pub fn to_contains(&self, address: &str) -> bool {
        self.to.iter().any(|t| t.contains(address))
    }
}

/// Which emulator API lists the mails SES accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailApi {
    /// moto: `GET /moto-api/data.json`, `ses.Message` and `ses.RawMessage`.
    Moto,
    /// LocalStack: `GET /_aws/ses`, `messages` (with `Subject`/`Body` or `RawData`).
    LocalStack,
}

impl MailApi {
    /// `FALLWERK_E2E_MAIL_API`: `moto` (the default) or `localstack`. Anything else is refused
    /// rather than guessed.
    pub fn from_env() -> Result<MailApi, String> {
        Self::parse(std::env::var("FALLWERK_E2E_MAIL_API").ok().as_deref())
    }

    /// The setting's value (`None`: unset).
    pub fn parse(value: Option<&str>) -> Result<MailApi, String> {
        match value {
            None | Some("") | Some("moto") => Ok(MailApi::Moto),
            Some("localstack") => Ok(MailApi::LocalStack),
            Some(other) => Err(format!(
                "FALLWERK_E2E_MAIL_API={other}: expected `moto` or `localstack`"
            )),
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            MailApi::Moto => "/moto-api/data.json",
            MailApi::LocalStack => "/_aws/ses",
        }
    }
}

/// Where a backend's e-mails end up.
#[derive(Debug, Clone)]
pub enum MailSink {
    /// `fallwerk serve --data DIR`: `DIR/outbox/*.eml`.
    Outbox(PathBuf),
    /// An SES emulator at `endpoint`, read through `api`.
    Ses { endpoint: String, api: MailApi },
}

impl MailSink {
    /// All mails sent so far.
    pub async fn all(&self) -> Vec<Mail> {
        match self {
            MailSink::Outbox(dir) => read_outbox(dir),
            MailSink::Ses { endpoint, api } => {
                let data = fetch_json(endpoint, api.path()).await;
                match api {
                    MailApi::Moto => from_moto(&data),
                    MailApi::LocalStack => from_localstack(&data),
                }
            }
        }
    }
}

/// The emulator's JSON; panics with the reason (a test cannot go on without its mail view).
async fn fetch_json(endpoint: &str, path: &str) -> serde_json::Value {
    let url = format!("{}{path}", endpoint.trim_end_matches('/'));
    let res = reqwest::Client::new()
        .get(&url)
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .unwrap_or_else(|e| panic!("cannot read {url}: {e}"));
    let status = res.status();
    let body = res
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("cannot read {url}: {e}"));
    assert!(
        status.is_success(),
        "{url} answered {status}: {} (on moto a 500 here means a Lambda function was created on \
         that server at some time; the suite's own moto has none)",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{url} is not JSON: {e}"))
}

fn read_outbox(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    // A file being written may not parse yet; the next poll sees it whole.
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|raw| parse_eml(&raw))
        .collect()
}

fn parse_eml(raw: &[u8]) -> Option<Mail> {
    use mailparse::MailHeaderMap;
    let parsed = mailparse::parse_mail(raw).ok()?;
    let subject = parsed.headers.get_first_value("Subject")?;
    let to = parsed
        .headers
        .get_all_values("To")
        .into_iter()
        .flat_map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let id = parsed.headers.get_first_value("X-Fallwerk-Message-ID");
    let mut body = String::new();
    collect_text(&parsed, &mut body);
    Some(Mail {
        to,
        subject,
        body,
        id,
    })
}

fn collect_text(part: &mailparse::ParsedMail<'_>, out: &mut String) {
    if part.subparts.is_empty() {
        if part.ctype.mimetype.starts_with("text/")
            && let Ok(text) = part.get_body()
        {
            out.push_str(&text);
            out.push('\n');
        }
    } else {
        for p in &part.subparts {
            collect_text(p, out);
        }
    }
}

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn items<'a>(data: &'a serde_json::Value, pointer: &str) -> &'a [serde_json::Value] {
    data.pointer(pointer)
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A raw mail as the emulator stored it: the RFC 5322 text, or that text in base64 (LocalStack
/// keeps what the SDK sent).
fn parse_raw(raw: &str) -> Option<Mail> {
    use base64::Engine;
    parse_eml(raw.as_bytes())
        .filter(|m| !m.subject.is_empty())
        .or_else(|| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(raw.trim())
                .ok()?;
            parse_eml(&bytes)
        })
}

/// moto's `data.json`: `ses.Message` ({destinations, subject, body}) and `ses.RawMessage`
/// ({destinations, raw_data}).
fn from_moto(data: &serde_json::Value) -> Vec<Mail> {
    let mut out: Vec<Mail> = items(data, "/ses/Message")
        .iter()
        .map(|m| {
            let mut to = Vec::new();
            strings(&m["destinations"], &mut to);
            Mail {
                to,
                subject: m["subject"].as_str().unwrap_or_default().to_string(),
                body: m["body"].as_str().unwrap_or_default().to_string(),
                id: None,
            }
        })
        .collect();
    out.extend(
        items(data, "/ses/RawMessage")
            .iter()
            .filter_map(|m| m["raw_data"].as_str().and_then(parse_raw)),
    );
    out
}

/// LocalStack's `/_aws/ses`: `messages`, each {Destination, Subject, Body: {text_part,
/// html_part}} or {RawData}.
fn from_localstack(data: &serde_json::Value) -> Vec<Mail> {
    items(data, "/messages")
        .iter()
        .filter_map(|m| {
            if let Some(raw) = m["RawData"].as_str() {
                return parse_raw(raw);
            }
            let mut to = Vec::new();
            strings(&m["Destination"], &mut to);
            let mut body = String::new();
            for part in ["text_part", "html_part"] {
                if let Some(text) = m["Body"][part].as_str() {
                    body.push_str(text);
                    body.push('\n');
                }
            }
            Some(Mail {
                to,
                subject: m["Subject"].as_str().unwrap_or_default().to_string(),
                body,
                id: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RAW: &str = "From: a@amt.example\r\nTo: b@buerger.example\r\nSubject: =?utf-8?q?Eingangsbest=C3=A4tigung?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIhr Antrag ist eingegangen.\r\n";

    #[test]
    fn the_mail_api_is_chosen_by_name_and_nothing_else_is_guessed() {
        assert_eq!(MailApi::parse(None), Ok(MailApi::Moto));
        assert_eq!(MailApi::parse(Some("moto")), Ok(MailApi::Moto));
        assert_eq!(MailApi::parse(Some("localstack")), Ok(MailApi::LocalStack));
        let err = MailApi::parse(Some("LocalStack")).expect_err("case matters");
        assert!(err.contains("expected `moto` or `localstack`"), "{err}");
        assert_eq!(MailApi::LocalStack.path(), "/_aws/ses");
        assert_eq!(MailApi::Moto.path(), "/moto-api/data.json");
    }

    #[test]
    fn localstack_formatted_and_raw_mails_are_read() {
        use base64::Engine;
        let data = json!({"messages": [
            {"Id": "1", "Source": "a@amt.example",
             "Destination": {"ToAddresses": ["oe@amt.example"]},
             "Subject": "Neuer Antrag", "Body": {"text_part": "Text", "html_part": "<p>Html</p>"}},
            {"Id": "2", "Source": "a@amt.example", "RawData": RAW},
            {"Id": "3", "Source": "a@amt.example",
             "RawData": base64::engine::general_purpose::STANDARD.encode(RAW)},
        ]});
        let mails = from_localstack(&data);
        assert_eq!(mails.len(), 3);
        assert!(mails[0].to_contains("oe@amt.example"));
        assert_eq!(mails[0].subject, "Neuer Antrag");
        assert!(mails[0].body.contains("Text") && mails[0].body.contains("<p>Html</p>"));
        for raw in &mails[1..] {
            assert_eq!(raw.subject, "Eingangsbestätigung");
            assert!(raw.to_contains("b@buerger.example"));
            assert!(raw.body.contains("Ihr Antrag ist eingegangen."));
        }
        assert!(from_localstack(&json!({})).is_empty());
    }

    #[test]
    fn moto_formatted_and_raw_mails_are_read() {
        let data = json!({"ses": {
            "Message": [{"id": "1", "source": "a@amt.example",
                         "destinations": {"ToAddresses": ["oe@amt.example"]},
                         "subject": "Neuer Antrag", "body": "Text"}],
            "RawMessage": [{"id": "2", "source": "a@amt.example",
                            "destinations": ["b@buerger.example"], "raw_data": RAW}],
        }});
        let mails = from_moto(&data);
        assert_eq!(mails.len(), 2);
        assert_eq!(mails[0].subject, "Neuer Antrag");
        assert!(mails[0].to_contains("oe@amt.example"));
        assert_eq!(mails[1].subject, "Eingangsbestätigung");
        assert!(mails[1].to_contains("b@buerger.example"));
    }
}
