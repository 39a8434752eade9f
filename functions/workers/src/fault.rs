//! Fault injection for the crash tests: `FALLWERK_TEST_CRASH_AT=<point>` aborts the process at
//! that point (like a SIGKILL: no destructors, nothing flushed) the first time a message reaches
//! it; `<point>:<suffix>` only for messages whose id ends with `:<suffix>` (e.g.
//! `after_delivery:export`). Points: `after_claim` and `before_confirm` of the consumer protocol,
//! `after_delivery` inside the export consumer's work. The crash tests start the real
//! `fallwerk serve` with it, then restart it without and check what was owed went out.
//! Unset (always in production) it costs one look at a cached value.

use std::sync::OnceLock;

/// A point of a consumer where it can be made to crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The message is claimed; nothing was sent or delivered yet.
    AfterClaim,
    /// The mail is sent or the package delivered and recorded; the claim is not confirmed yet.
    BeforeConfirm,
    /// The export package is delivered; its receipt is not stored on the case yet.
    AfterDelivery,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::AfterClaim => "after_claim",
            Fault::BeforeConfirm => "before_confirm",
            Fault::AfterDelivery => "after_delivery",
        }
    }
}

/// The environment variable that arms a fault.
pub const CRASH_AT_VAR: &str = "FALLWERK_TEST_CRASH_AT";

/// The armed point and the message-id suffix it is limited to (empty: every message).
fn armed() -> Option<&'static (Fault, String)> {
    static ARMED: OnceLock<Option<(Fault, String)>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let value = std::env::var(CRASH_AT_VAR).ok()?;
            let (point, suffix) = value.split_once(':').unwrap_or((value.as_str(), ""));
            let fault = [
                Fault::AfterClaim,
                Fault::BeforeConfirm,
                Fault::AfterDelivery,
            ]
            .into_iter()
            .find(|f| f.as_str() == point)?;
            let suffix = if suffix.is_empty() {
                String::new()
            } else {
                format!(":{suffix}")
            };
            Some((fault, suffix))
        })
        .as_ref()
}

/// Aborts the process when `fault` is armed for `message_id`.
pub(crate) fn point(fault: Fault, message_id: &str) {
    if let Some((armed, suffix)) = armed()
        && *armed == fault
        && message_id.ends_with(suffix.as_str())
    {
        // The test reads this line to know what was killed where.
        eprintln!(
            "FALLWERK_TEST_CRASH_AT: aborting at {} of message {message_id}",
            fault.as_str()
        );
        std::process::abort();
    }
}
