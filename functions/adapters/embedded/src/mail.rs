//! `EmlMailer`: the embedded mode's `Mailer`. Each mail becomes one RFC 5322 file
//! `{yyyymmddThhmmss}-{id}.eml` in an outbox directory, readable by any mail client: UTF-8
//! bodies (quoted-printable or base64 as `lettre` chooses), RFC 2047 encoded subject,
//! `multipart/alternative` when there is an HTML part.
//!
//! Idempotent by `mail.id`, first write wins: when a file for the id already exists, nothing is
//! written and its name is returned again, so a redelivered message never yields a second file
//! (nor rewrites the one a person may already have opened).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::ports::{Mail, MailError, Mailer, sha256_hex};

use crate::queue::Clock;

/// Length of the `yyyymmddThhmmss` prefix of a file name.
const STAMP_LEN: usize = 15;
/// The longest id kept verbatim in a file name.
const MAX_ID_LEN: usize = 100;

/// Writes mail as `.eml` files into a directory.
#[derive(Clone)]
pub struct EmlMailer {
    dir: PathBuf,
    clock: Clock,
    /// The outbox's files by key, read from the directory once, on the first send (scanning
    /// the directory per mail made sending quadratic in the outbox's size). The lock also
    /// serialises the look-up-then-write, so two concurrent sends of one id write one file.
    /// Another process writing the same directory is not seen here; the consumers' claim on
    /// the message id keeps a mail from going out twice anyway.
    index: Arc<Mutex<Option<HashMap<String, String>>>>,
}

impl std::fmt::Debug for EmlMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmlMailer")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl EmlMailer {
    /// Uses (and creates if needed) the outbox directory `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        sweep_temporaries(&dir)?;
        Ok(EmlMailer {
            dir,
            clock: Arc::new(Utc::now),
            index: Arc::new(Mutex::new(None)),
        })
    }

    /// The clock for the `Date` header and the file name (tests inject one).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The RFC 5322 bytes of `mail` as this mailer writes them, dated `date`
    /// ([`fallwerk_core::mail::render`], the form every transport sends).
    pub fn render(mail: &Mail, date: DateTime<Utc>) -> Result<Vec<u8>, MailError> {
        fallwerk_core::mail::render(mail, date)
    }
}

/// The part of a file name that identifies the mail: the id if it is short and made of
/// `[A-Za-z0-9._-]`, else a sanitised prefix plus a hash of the id (so distinct ids never share
/// a name).
pub fn file_key(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_ID_LEN)
        .collect();
    if clean == id && !id.is_empty() {
        clean
    } else {
        let hash = sha256_hex(id.as_bytes());
        format!("{clean}-{}", &hash[..16])
    }
}

/// The `.eml` files in `dir` by their key (the part after the time stamp).
fn read_index(dir: &Path) -> std::io::Result<HashMap<String, String>> {
    let mut index = HashMap::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        let key = name
            .strip_suffix(".eml")
            .and_then(|stem| stem.get(STAMP_LEN..))
            .and_then(|rest| rest.strip_prefix('-'));
        if let Some(key) = key {
            index.insert(key.to_string(), name.to_string());
        }
    }
    Ok(index)
}

/// Whether `name` is a temporary file of [`write_new`] (`.{name}.{uuid}.tmp`).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Removes the temporary files a crashed process left between writing and renaming (their mail
/// was not sent: the consumer's claim was not confirmed, so the redelivery writes it anew). A
/// writer of another process whose file is removed fails its rename and retries; nothing is lost.
/// Returns how many were removed.
pub fn sweep_temporaries(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(is_temporary) && entry.file_type()?.is_file() {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed unfinished mail files from the outbox");
    }
    Ok(removed)
}

fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))?;
        // Make the rename itself durable.
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[async_trait]
impl Mailer for EmlMailer {
    /// Returns the file name (relative to the outbox directory).
    async fn send(&self, mail: &Mail) -> Result<String, MailError> {
        let now = (self.clock)();
        let bytes = Self::render(mail, now)?;
        let key = file_key(&mail.id);
        let name = format!("{}-{key}.eml", now.format("%Y%m%dT%H%M%S"));
        let (dir, index) = (self.dir.clone(), Arc::clone(&self.index));
        tokio::task::spawn_blocking(move || {
            let mut guard = index.lock().unwrap_or_else(PoisonError::into_inner);
            let index = match guard.as_mut() {
                Some(index) => index,
                None => guard.insert(read_index(&dir)?),
            };
            if let Some(name) = index.get(&key) {
                return Ok(name.clone());
            }
            write_new(&dir, &name, &bytes)?;
            index.insert(key, name.clone());
            Ok(name)
        })
        .await
        .map_err(|e| MailError::Transient(format!("mail task failed: {e}")))?
        .map_err(|e: std::io::Error| MailError::Transient(format!("cannot write mail file: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_keys_are_safe_and_distinct() {
        assert_eq!(file_key("msg-1_a.b"), "msg-1_a.b");
        let odd = file_key("../etc/passwd");
        assert!(!odd.contains('/'), "{odd}");
        assert_ne!(file_key("a/b"), file_key("a_b"));
        assert_ne!(file_key("a/b"), file_key("a:b"));
        assert!(file_key("").starts_with('-'));
        assert!(file_key(&"x".repeat(500)).len() < 130);
    }
}
