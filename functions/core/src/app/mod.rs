//! Application services: the use cases of fallwerk, written once against the ports. Handlers
//! (HTTP, queue consumers, the scheduler) parse input, call one of these, and map the result.

mod admin;
mod authority_documents;
mod canonical;
mod casework;
mod clock;
mod consumers;
mod documents;
mod error;
mod fingerprint;
mod form;
mod inbox;
mod intake;
pub mod limits;
mod lookup;
mod names;
mod portal;
mod reassign;
mod retrieval;
mod runner;
mod scheduler;
mod signature_claim;
mod system;
pub mod targets;
mod thread;
pub mod uploads;
mod user_cache;
mod users;
mod workplace;

use std::sync::Arc;

pub use admin::validate_directory_id;
pub use authority_documents::{
    AUTHORITY_MEDIA_TYPES, MAX_AUTHORITY_DOCUMENT, MAX_AUTHORITY_DOCUMENTS,
    authority_media_type_allowed,
};
pub use canonical::canonical_json_sha256;
pub use casework::CaseView;
pub use clock::{Clock, ManualClock, SystemClock, new_case_id};
pub use consumers::DirectoryNames;
pub use error::AppError;
pub use fingerprint::{FINGERPRINT_V2, Fingerprint, fingerprint_v2};
pub use form::{FormDocument, FormStream};
pub use inbox::InboxParams;
pub use intake::{IncomingDocument, Submission, SubmitOutcome};
pub use names::{is_invisible_format, sanitize_file_name};
pub use portal::ApplicantStatus;
pub use reassign::{Moved, NotMoved, ReassignReport, ReassignRequest};
pub use retrieval::RetrievalReceipt;
pub use scheduler::{SCHEDULER_LEASE, TickOptions, TickReport, owed_levels};
pub use signature_claim::SignatureClaim;
pub use thread::{Thread, ThreadAttachment, ThreadMessage};
pub use users::{TokenIdentity, UserSource};

use crate::case::{Caller, Role};
use crate::ports::{BlobStore, Queue, Store};
use fallwerk_events::QueueMessage;

/// Settings of one installation.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Prefix of case references, e.g. "MV" for `MV-2026-000123`.
    pub reference_prefix: String,
    /// Directory export targets must lie under this path (`FALLWERK_EXPORT_ROOT`; the embedded
    /// backend defaults to `{data}/exports`). `None`: directory targets are refused.
    pub export_root: Option<String>,
    /// Webhook export targets may use `http://` (`FALLWERK_WEBHOOK_ALLOW_HTTP`, tests only).
    pub webhook_allow_http: bool,
    /// Form data larger than this (serialised JSON bytes) goes to the blob store instead of the
    /// case record. At most [`crate::model::INLINE_FORM_LIMIT`]; the AWS backend keeps it small
    /// because every case change rewrites the whole item (issue 18, docs/COSTS.md).
    pub inline_form_limit: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            reference_prefix: "MV".into(),
            export_root: None,
            webhook_allow_http: false,
            inline_form_limit: crate::model::INLINE_FORM_LIMIT,
        }
    }
}

/// The use cases, over one store, one blob store and one clock.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    pub clock: Arc<dyn Clock>,
    pub config: AppConfig,
    /// Where outbox messages go right after a write; without one they wait for the sweeper.
    pub queue: Option<Arc<dyn Queue>>,
    /// Active users of the auth path, kept for a TTL ([`App::with_user_cache`]); none: every
    /// request reads the directory.
    pub user_cache: Option<Arc<user_cache::UserCache>>,
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        config: AppConfig,
    ) -> Self {
        App {
            store,
            blobs,
            clock,
            config,
            queue: None,
            user_cache: None,
        }
    }

    /// Keeps active users of the auth path for `ttl` (see `app::user_cache`): a deactivation
    /// made by another process takes effect here within `ttl`. A zero or negative TTL: no cache.
    pub fn with_user_cache(mut self, ttl: chrono::Duration) -> Self {
        self.user_cache =
            (ttl > chrono::Duration::zero()).then(|| Arc::new(user_cache::UserCache::new(ttl)));
        self
    }

    pub fn with_queue(mut self, queue: Arc<dyn Queue>) -> Self {
        self.queue = Some(queue);
        self
    }

    /// Hands freshly written outbox messages to the queue. A failure only delays them: they stay
    /// in the outbox and the scheduler's sweeper sends them later.
    pub(crate) async fn dispatch(&self, outbox: &[QueueMessage]) {
        let Some(queue) = &self.queue else { return };
        if self.store.delivers_outbox() {
            return;
        }
        for message in outbox {
            match queue.send(message).await {
                Ok(()) => {
                    if let Err(e) = self.store.outbox_done(message.message_id()).await {
                        tracing::warn!(message_id = message.message_id(), error = %e, "outbox entry not cleared");
                    }
                }
                Err(e) => {
                    tracing::warn!(message_id = message.message_id(), error = %e, "queue unavailable; left in outbox");
                    return;
                }
            }
        }
    }
}

/// Refuses a caller without the role admin.
fn require_admin(caller: &Caller) -> Result<(), AppError> {
    if caller.has(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden("this needs the role admin".into()))
    }
}

/// Refuses a caller who is neither caseworker nor supervisor.
fn require_caseworker(caller: &Caller) -> Result<(), AppError> {
    if caller.has(Role::Caseworker) || caller.has(Role::Supervisor) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "this needs the role caseworker or supervisor".into(),
        ))
    }
}
