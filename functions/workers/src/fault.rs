//! Fault injection for the crash tests: `FALLWERK_TEST_CRASH_AT=after_claim|before_confirm`
//! aborts the process at that point of the consumer protocol (like a SIGKILL: no destructors,
//! nothing flushed), the first time any message reaches it; `before_confirm:export` only for
//! messages whose id ends with `:export` (the suffix after the colon). The crash tests start the real
//! `fallwerk serve` with it, then restart it without and check what was owed went out.
//! Unset (always in production) it costs one look at a cached value.

use std::sync::OnceLock;

/// A point of [`crate::protocol::run`] where a consumer can be made to crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The message is claimed; nothing was sent or delivered yet.
    AfterClaim,
    /// The mail is sent or the package delivered; the claim is not confirmed yet.
    BeforeConfirm,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::AfterClaim => "after_claim",
            Fault::BeforeConfirm => "before_confirm",
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
            let fault = [Fault::AfterClaim, Fault::BeforeConfirm]
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
