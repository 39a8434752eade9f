//! What every consumer needs: the application services, the mailer, the export sinks and the
//! installation's settings; and what a consumer reports back to its transport.

use std::sync::Arc;

use fallwerk_core::app::App;
use fallwerk_core::ports::Mailer;

use crate::sinks::ExportSinks;

/// How long a processed-marker (`claim_message`) is kept: far longer than any queue retention.
pub const CLAIM_TTL_DAYS: i64 = 14;

/// Settings of one installation.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Sender address of all e-mail, e.g. `fallwerk@amt.example`.
    pub mail_from: String,
    /// Base URL of the citizen portal; postbox links are `{portal_url}/postfach/{ref}`.
    pub portal_url: String,
    /// Base URL of the caseworker UI; case links are `{caseworker_url}/cases/{case_id}`.
    pub caseworker_url: String,
    /// The receive count at which a failing message is given up (the queue's maxReceiveCount).
    pub max_receives: u32,
    /// How long a consumer's claim on a message holds unless confirmed: the queue's visibility
    /// timeout, after which the queue redelivers a message its consumer did not finish.
    pub lease_seconds: u32,
}

/// The context a consumer runs in.
#[derive(Clone)]
pub struct WorkerCtx {
    pub app: App,
    pub mailer: Arc<dyn Mailer>,
    pub sinks: ExportSinks,
    pub settings: Settings,
}

impl WorkerCtx {
    /// True when a failure on this receive must not be retried any more.
    pub(crate) fn last_receive(&self, receive_count: u32) -> bool {
        receive_count >= self.settings.max_receives.max(1)
    }
}

/// What the transport does with the message after the consumer ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (or nothing to do): delete the message.
    Done,
    /// Failed transiently: leave the message for redelivery (report it as a batch failure).
    Retry(String),
    /// Failed for good: the failure is recorded on the case where possible; dead-letter it.
    GiveUp(String),
}

impl Outcome {
    pub fn is_done(&self) -> bool {
        matches!(self, Outcome::Done)
    }
}
