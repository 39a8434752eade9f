//! The e-mail sink, read the way an operator would: the `.eml` files of the embedded outbox
//! (parsed as RFC 5322, bodies decoded) or the mails moto's SES accepted (`/moto-api/data.json`).

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

/// Where a backend's e-mails end up.
#[derive(Debug, Clone)]
pub enum MailSink {
    /// `fallwerk serve --data DIR`: `DIR/outbox/*.eml`.
    Outbox(PathBuf),
    /// moto's SES, read from `{endpoint}/moto-api/data.json`.
    MotoSes { endpoint: String },
}

impl MailSink {
    /// All mails sent so far.
    pub async fn all(&self) -> Vec<Mail> {
        match self {
            MailSink::Outbox(dir) => read_outbox(dir),
            MailSink::MotoSes { endpoint } => fallwerk_aws::testing::sent_mails(endpoint)
                .await
                .iter()
                .map(from_moto)
                .collect(),
        }
    }
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

fn from_moto(m: &serde_json::Value) -> Mail {
    // A raw send (`SesMailer` sends raw): the RFC 5322 text, parsed like an `.eml`.
    if let Some(mail) = m["raw_data"]
        .as_str()
        .and_then(|raw| parse_eml(raw.as_bytes()))
    {
        return mail;
    }
    let mut to = Vec::new();
    strings(&m["destinations"], &mut to);
    Mail {
        to,
        subject: m["subject"].as_str().unwrap_or_default().to_string(),
        body: m["body"].as_str().unwrap_or_default().to_string(),
        id: None,
    }
}
