//! Ports: the small traits through which the core stores cases and configuration and through
//! which the scheduler finds due work. Adapters (SQLite, DynamoDB, file system, S3) implement
//! them; one contract test suite checks every adapter against the same semantics.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Case, Message, OrgUnit, PortalClient, ReadMark, Service, User};
use fallwerk_events::{DeadlineKind, DomainEvent, QueueMessage, ReminderLevel};

/// Errors every store reports the same way; the edge maps them to HTTP statuses once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer changed the case first (optimistic locking).
    #[error(
        "case {case_id} was changed concurrently: expected version {expected}, found {found:?}"
    )]
    VersionConflict {
        case_id: String,
        expected: u64,
        found: Option<u64>,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("the paging cursor is invalid")]
    InvalidCursor,
    #[error("{0} is too large to store")]
    TooLarge(String),
    /// The stored bytes do not match their recorded checksum.
    #[error("checksum mismatch for blob {0}")]
    Corrupt(String),
    #[error("storage backend failed: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The largest serialised record (case, event, message) a store accepts. DynamoDB's item limit is
/// 400 KB; both stores enforce the same, smaller bound so they behave identically, and the core
/// keeps large form data in the blob store (see [`crate::model::INLINE_FORM_LIMIT`]).
pub const MAX_RECORD_BYTES: usize = 350 * 1024;

/// One page of a listing; `next_cursor` is opaque to callers and `None` on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The idempotency record of a submission: `(portal_client_id, submission_id)` is the key,
/// the body hash tells a true duplicate from a different body under the same id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyKey {
    pub portal_client_id: String,
    pub submission_id: String,
    pub body_sha256: String,
}

/// Everything written when a case is created, in one transaction.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case: Case,
    pub events: Vec<DomainEvent>,
    pub idempotency: IdempotencyKey,
    pub messages: Vec<Message>,
    /// Messages to hand to the queue (transactional outbox).
    pub outbox: Vec<QueueMessage>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    Created,
    /// The submission was seen before; nothing was written.
    Duplicate {
        case_id: String,
        body_sha256: String,
    },
}

/// Everything written when a command changes a case, in one transaction, guarded by
/// `expected_version`. `case.version` must equal `expected_version + events.len()`.
#[derive(Debug, Clone)]
pub struct CaseChange {
    pub case: Case,
    pub expected_version: u64,
    pub events: Vec<DomainEvent>,
    pub messages: Vec<Message>,
    pub outbox: Vec<QueueMessage>,
    /// The reminder ledger entries of the change's `reminder_sent` events ([`ledger_entries`]),
    /// written in the same transaction. An entry with the same deadline and level that exists
    /// already records the same reminder: a store may keep or replace it.
    pub ledger: Vec<LedgerEntry>,
}

#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Creates the case, its events, messages, outbox entries and the idempotency record
    /// atomically; if the idempotency record exists, writes nothing and reports the duplicate.
    async fn create_case(&self, new: NewCase) -> StoreResult<CreateOutcome>;
    async fn load_case(&self, case_id: &str) -> StoreResult<Option<Case>>;
    /// Fails with [`StoreError::VersionConflict`] when the stored version is not `expected_version`.
    async fn save_case(&self, change: CaseChange) -> StoreResult<()>;
    /// The inbox: see [`crate::inbox::InboxSearch`] for order, filters and paging. Reads only
    /// the index rows of the query's scope (open or closed) in the asked sort order. Also the
    /// way `reassign` finds the open cases of one assignee.
    async fn search_inbox(
        &self,
        query: &crate::inbox::InboxSearch,
    ) -> StoreResult<Page<crate::inbox::InboxItem>>;
    /// Open cases of the org units, counted per status and task.
    async fn inbox_counts(&self, org_units: &[String]) -> StoreResult<crate::inbox::InboxCounts>;
    /// Events with `seq > after_seq`, ascending, at most `limit`.
    async fn history(
        &self,
        case_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<Page<DomainEvent>>;
    /// The postbox thread, oldest first, with the caseworkers' read marks.
    async fn messages(&self, case_id: &str) -> StoreResult<Vec<Message>>;
    /// Marks the postbox message `message_id` of the case as read, unless it already is:
    /// `Ok(true)` when marked now, `Ok(false)` when an earlier mark stays (first reader wins),
    /// [`StoreError::NotFound`] when the case has no such message. Leaves the case version alone:
    /// reading is not a change of the case and must not make concurrent actions conflict.
    async fn mark_message_read(
        &self,
        case_id: &str,
        message_id: &str,
        mark: &ReadMark,
    ) -> StoreResult<bool>;
    /// Replaces every postbox message of the case by [`Message::redacted`] (retention purge);
    /// idempotent, and a case without messages is no error.
    async fn redact_messages(&self, case_id: &str) -> StoreResult<()>;
    /// Next number of the per-year reference counter (1, 2, 3, ...; never reused).
    async fn next_reference_number(&self, year: i32) -> StoreResult<u64>;
}

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    async fn put_org_unit(&self, ou: &OrgUnit) -> StoreResult<()>;
    async fn org_unit(&self, id: &str) -> StoreResult<Option<OrgUnit>>;
    async fn org_units(&self) -> StoreResult<Vec<OrgUnit>>;
    async fn put_service(&self, service: &Service) -> StoreResult<()>;
    async fn service(&self, leika_id: &str) -> StoreResult<Option<Service>>;
    async fn services(&self) -> StoreResult<Vec<Service>>;
    async fn put_portal_client(&self, client: &PortalClient) -> StoreResult<()>;
    async fn portal_client(&self, id: &str) -> StoreResult<Option<PortalClient>>;
    async fn portal_clients(&self) -> StoreResult<Vec<PortalClient>>;
}

/// The user directory (Nutzer:innen). Ids are account ids (see [`crate::model::User`]).
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates or replaces the user with this id (memberships follow the new record).
    async fn put_user(&self, user: &User) -> StoreResult<()>;
    /// Strongly consistent point read (every authenticated request makes one).
    async fn user(&self, id: &str) -> StoreResult<Option<User>>;
    /// All users, by id ascending; with `org_unit`, only its members (active or not).
    async fn users(&self, org_unit: Option<&str>) -> StoreResult<Vec<User>>;
}

/// One entry of the sparse due index, derived from [`crate::model::Deadline::next_fire_at`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueEntry {
    pub fire_at: DateTime<Utc>,
    pub case_id: String,
    pub deadline_id: String,
    pub kind: DeadlineKind,
}

/// The scheduler's reminder ledger entry: at most one message per (deadline, level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub deadline_id: String,
    pub level: ReminderLevel,
    pub written_at: DateTime<Utc>,
    /// When the entry may be dropped (TTL), long after the deadline is closed.
    pub expires_at: DateTime<Utc>,
}

/// How long a reminder's ledger entry is kept.
pub const LEDGER_TTL_DAYS: i64 = 800;

/// The ledger entries of the `reminder_sent` events among `events`: the durable, queryable
/// record of each reminder, written with the case change that records it.
pub fn ledger_entries(events: &[DomainEvent]) -> Vec<LedgerEntry> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            fallwerk_events::EventKind::ReminderSent {
                deadline_id, level, ..
            } => Some(LedgerEntry {
                deadline_id: deadline_id.clone(),
                level: *level,
                written_at: e.at,
                expires_at: e.at + chrono::Duration::days(LEDGER_TTL_DAYS),
            }),
            _ => None,
        })
        .collect()
}

#[async_trait]
pub trait SchedulerStore: Send + Sync {
    /// Due-index entries with `fire_at <= now`, by `fire_at` ascending, at most `limit`.
    /// Cost follows the number of due entries, never the number of stored deadlines.
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueEntry>>;
    /// Conditional put: `true` if written now, `false` if the entry already existed.
    async fn ledger_put(&self, entry: &LedgerEntry) -> StoreResult<bool>;
    /// Takes or renews the named lease for `holder` until `now + ttl_seconds`; `false` while
    /// another holder's lease has not expired.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl_seconds: u32,
    ) -> StoreResult<bool>;
    /// Gives the lease up if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}

/// What [`OutboxStore::claim_work`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimState {
    /// The caller holds the claim now: do the work, then confirm it.
    Claimed,
    /// Another consumer's claim holds until then: leave the message for a later receive.
    Leased { until: DateTime<Utc> },
    /// The work was confirmed before: nothing to do.
    Done,
}

/// A message written with a case change and not yet handed to the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub message: QueueMessage,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Entries created at or before `created_before`, oldest first, at most `limit`.
    async fn outbox_pending(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// Removes the entry once the queue accepted the message (idempotent).
    async fn outbox_done(&self, message_id: &str) -> StoreResult<()>;
    /// Processed-marker for queue consumers: `true` the first time a message id is claimed.
    async fn claim_message(&self, message_id: &str, expires_at: DateTime<Utc>)
    -> StoreResult<bool>;
    /// Gives a claim back after the work failed, so a redelivery can do it (idempotent).
    async fn release_message(&self, message_id: &str) -> StoreResult<()>;
    /// A queue consumer's claim on the work of `message_id`, held until `lease_until` unless
    /// confirmed: [`ClaimState::Claimed`] when there is no record yet or an earlier claim's lease
    /// ran out unconfirmed (its holder crashed between claim and confirmation: do the work
    /// again), [`ClaimState::Leased`] while another claim's lease runs, [`ClaimState::Done`]
    /// once the work was confirmed (also for ids taken by [`OutboxStore::claim_message`]).
    async fn claim_work(
        &self,
        message_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<ClaimState>;
    /// Records that the work of `message_id` is done (after the send or delivery): later
    /// claims answer [`ClaimState::Done`]; the record may be dropped after `kept_until`.
    /// Idempotent; it also confirms when the lease has run out or there is no claim.
    async fn confirm_work(&self, message_id: &str, kept_until: DateTime<Utc>) -> StoreResult<()>;
    /// `true` when this store puts outbox messages on the queue itself, in the same transaction
    /// as the case change (the embedded store, whose queue lives in the same database): then
    /// there is nothing to hand off after the write.
    fn delivers_outbox(&self) -> bool {
        false
    }
}

/// Everything a backend stores, as one handle.
pub trait Store: CaseStore + DirectoryStore + UserStore + SchedulerStore + OutboxStore {}
impl<T: CaseStore + DirectoryStore + UserStore + SchedulerStore + OutboxStore> Store for T {}

/// Why a queue did not take a message.
#[derive(Debug, thiserror::Error)]
#[error("queue failed: {0}")]
pub struct QueueError(pub String);

/// Hands messages to a queue (SQS, or the embedded durable queue).
#[async_trait]
pub trait Queue: Send + Sync {
    async fn send(&self, message: &QueueMessage) -> Result<(), QueueError>;
}

/// Checksummed bytes: attachments, large form data, export packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    pub key: String,
    pub sha256: String,
    pub size: u64,
}

/// A direct upload into the blob store (an S3 presigned PUT): the URL and the headers the
/// uploader must send with it (they are part of the signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUpload {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// The bytes of a blob piece by piece (see [`BlobStore::open_blob`]).
pub type BlobChunks =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = StoreResult<Vec<u8>>> + Send + 'static>>;

/// A blob opened for reading: its stored size and its bytes as a stream of chunks.
pub struct BlobReader {
    pub size: u64,
    pub chunks: BlobChunks,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put_blob(&self, key: &str, bytes: &[u8]) -> StoreResult<BlobMeta>;
    /// Fails with [`StoreError::Corrupt`] when the bytes do not hash to `expected_sha256`.
    async fn get_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<Vec<u8>>;
    async fn delete_blob(&self, key: &str) -> StoreResult<()>;
    /// A URL that takes exactly `size` bytes hashing to `sha256` (lower-case hex) under `key`
    /// until `valid_for` has passed. `None`: this store takes no direct uploads (the embedded
    /// store; its uploads go through `fallwerk serve`).
    async fn presign_put(
        &self,
        _key: &str,
        _size: u64,
        _sha256: &str,
        _valid_for: std::time::Duration,
    ) -> StoreResult<Option<PresignedUpload>> {
        Ok(None)
    }
    /// Deletes the blobs under `prefix` written before `before` and says how many. Stores whose
    /// platform expires them itself (the S3 lifecycle rule in infra/template.yaml) return 0.
    async fn sweep(&self, _prefix: &str, _before: DateTime<Utc>) -> StoreResult<usize> {
        Ok(0)
    }
    /// Opens the blob for reading in chunks, so a large blob never sits in memory whole.
    /// [`StoreError::NotFound`] comes from this call; the checksum can only be known at the
    /// end, so bytes that do not hash to `expected_sha256` end the stream with
    /// [`StoreError::Corrupt`] after the chunks were handed out (wrap with [`verify_chunks`]).
    /// The default reads the whole blob and hands it out as one chunk.
    async fn open_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<BlobReader> {
        let bytes = self.get_blob(key, expected_sha256).await?;
        Ok(BlobReader {
            size: bytes.len() as u64,
            chunks: Box::pin(futures_util::stream::iter([Ok(bytes)])),
        })
    }
}

/// Hashes the chunks as they pass and ends the stream with [`StoreError::Corrupt`] (naming
/// `key`) when all of them together do not hash to `expected_sha256`. Errors of `inner` pass
/// through and end the stream.
pub fn verify_chunks(
    key: &str,
    expected_sha256: &str,
    inner: impl futures_util::Stream<Item = StoreResult<Vec<u8>>> + Send + 'static,
) -> BlobChunks {
    use futures_util::StreamExt;
    use sha2::Digest;
    struct State<S> {
        inner: std::pin::Pin<Box<S>>,
        hasher: Option<sha2::Sha256>,
        key: String,
        expected: String,
    }
    let state = State {
        inner: Box::pin(inner),
        hasher: Some(sha2::Sha256::new()),
        key: key.to_string(),
        expected: expected_sha256.to_ascii_lowercase(),
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        let hasher = st.hasher.as_mut()?;
        match st.inner.next().await {
            Some(Ok(chunk)) => {
                hasher.update(&chunk);
                Some((Ok(chunk), st))
            }
            Some(Err(e)) => {
                st.hasher = None;
                Some((Err(e), st))
            }
            None => {
                let actual = hex::encode(st.hasher.take()?.finalize());
                if actual == st.expected {
                    None
                } else {
                    let err = StoreError::Corrupt(st.key.clone());
                    Some((Err(err), st))
                }
            }
        }
    }))
}

/// Lower-case hex SHA-256, the checksum used everywhere in fallwerk.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The due-index entries a case contributes (both stores derive them with this function).
pub fn due_entries(case: &Case) -> Vec<DueEntry> {
    case.deadlines
        .iter()
        .filter_map(|d| {
            d.next_fire_at().map(|fire_at| DueEntry {
                fire_at,
                case_id: case.id.clone(),
                deadline_id: d.id.clone(),
                kind: d.kind,
            })
        })
        .collect()
}

/// An e-mail as fallwerk sends it: plain text with an optional HTML alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Stable id (the queue message id), used as `Message-ID` and for idempotency.
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth retrying (throttling, network, service unavailable).
    #[error("mail temporarily not sent: {0}")]
    Transient(String),
    /// Retrying will not help (rejected address, unverified sender).
    #[error("mail rejected: {0}")]
    Permanent(String),
}

/// Sends e-mail (SES, or `.eml` files in an outbox directory).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Returns the transport's id of the sent message.
    async fn send(&self, mail: &Mail) -> Result<String, MailError>;
}

/// One file of an export package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Relative path inside the package, e.g. `manifest.json`, `attachments/1-antrag.pdf`.
    pub path: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl PackageFile {
    /// The file at `path` with its bytes and their SHA-256.
    pub fn new(path: impl Into<String>, media_type: &str, bytes: Vec<u8>) -> Self {
        PackageFile {
            sha256: sha256_hex(&bytes),
            path: path.into(),
            media_type: media_type.to_string(),
            bytes,
        }
    }
}

/// What an export delivers to a Fachverfahren or DMS (format: docs/export-format.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPackage {
    /// Unique per case and attempt, e.g. `MV-2026-000123-1`.
    pub name: String,
    pub case_id: String,
    pub files: Vec<PackageFile>,
}

/// Proof of delivery, stored on the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportReceipt {
    pub receipt: String,
    pub location: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export temporarily failed: {0}")]
    Transient(String),
    #[error("export failed: {0}")]
    Permanent(String),
    /// This sink does not serve this kind of target (configuration error).
    #[error("no export sink for target kind `{0}`")]
    Unsupported(String),
}

/// Delivers export packages to one kind of [`fallwerk_events::ExportTarget`].
#[async_trait]
pub trait ExportSink: Send + Sync {
    async fn deliver(
        &self,
        target: &fallwerk_events::ExportTarget,
        package: &ExportPackage,
    ) -> Result<ExportReceipt, ExportError>;
}
