//! The one consumer protocol both consumers follow: claim → work → confirm, or release → retry
//! → give up.
//!
//! The claim holds a lease of about one visibility timeout ([`crate::Settings::lease_seconds`]);
//! the work is confirmed only after the send or delivery. So a consumer killed between claim
//! and work leaves a claim whose lease runs out, and the redelivery (which the queue makes after
//! the same visibility timeout) does the work: exactly once. Killed between the work and the
//! confirmation, the redelivery does the work a second time: at most twice, and the mail carries
//! the same `Message-ID` both times (the id of the queue message), the export the same package
//! name. A second copy of a message while the first is being worked on finds the lease and waits.

use async_trait::async_trait;
use chrono::Duration;
use fallwerk_core::ports::ClaimState;

use crate::ctx::{CLAIM_TTL_DAYS, Outcome, WorkerCtx};
use crate::fault::{self, Fault};
use crate::record::Recorded;

/// How the work of a claimed message went.
pub(crate) enum Work {
    /// Sent, delivered, or found to be unnecessary: confirm the claim.
    Done,
    /// Nothing went out (or must go out again): give the claim back, then retry — or give up
    /// at once when `permanent`.
    Failed { error: String, permanent: bool },
}

/// One consumer: its message, its work and how it records a final failure on the case.
#[async_trait]
pub(crate) trait Consumer: Sync {
    fn message_id(&self) -> &str;
    fn case_id(&self) -> &str;
    async fn work(&self) -> Work;
    /// Records the final failure on the case (`notification_failed`, `export_failed`).
    async fn record_failure(&self, error: &str) -> Recorded;
}

/// Claims the message, works it and confirms or releases the claim.
pub(crate) async fn run(ctx: &WorkerCtx, c: &impl Consumer, receive_count: u32) -> Outcome {
    let (message_id, case_id) = (c.message_id(), c.case_id());
    let now = ctx.app.clock.now();
    let lease_until = now + Duration::seconds(i64::from(ctx.settings.lease_seconds.max(1)));
    match ctx.app.claim_work(message_id, now, lease_until).await {
        Ok(ClaimState::Claimed) => {}
        Ok(ClaimState::Done) => {
            tracing::info!(message_id, case_id, "already done; not done again");
            return Outcome::Done;
        }
        Ok(ClaimState::Leased { until }) => {
            tracing::info!(message_id, case_id, %until, "claimed by another consumer; will look again");
            return Outcome::Retry(format!("claimed by another consumer until {until}"));
        }
        Err(e) => {
            return failed(
                ctx,
                c,
                receive_count,
                format!("cannot claim the message: {e}"),
            )
            .await;
        }
    }
    fault::point(Fault::AfterClaim, message_id);
    match c.work().await {
        Work::Done => {
            fault::point(Fault::BeforeConfirm, message_id);
            let kept = ctx.app.clock.now() + Duration::days(CLAIM_TTL_DAYS);
            if let Err(e) = ctx.app.confirm_work(message_id, kept).await {
                // The work is done; the message is deleted below, so nothing redelivers it.
                // Only a second copy after the lease would do it again.
                tracing::warn!(message_id, case_id, error = %e, "work done, confirmation not stored");
            }
            Outcome::Done
        }
        Work::Failed { error, permanent } => {
            if let Err(e) = ctx.app.release_work(message_id).await {
                // The lease runs out by itself: a redelivery after it does the work.
                tracing::warn!(message_id, case_id, error = %e, "claim not released; it expires with its lease");
            }
            if permanent {
                give_up(ctx, c, receive_count, error).await
            } else {
                failed(ctx, c, receive_count, error).await
            }
        }
    }
}

/// A transient failure: retry, unless this was the last receive.
pub(crate) async fn failed(
    ctx: &WorkerCtx,
    c: &impl Consumer,
    receive_count: u32,
    error: String,
) -> Outcome {
    if ctx.last_receive(receive_count) {
        let error = format!("{error} (gave up after {receive_count} attempts)");
        give_up(ctx, c, receive_count, error).await
    } else {
        tracing::warn!(
            message_id = c.message_id(),
            case_id = c.case_id(),
            receive_count,
            error,
            "will retry"
        );
        Outcome::Retry(error)
    }
}

/// A final failure: record it on the case, then let the transport dead-letter the message.
/// When the store cannot take the record and receives are left, retry instead so the next
/// receive records it.
pub(crate) async fn give_up(
    ctx: &WorkerCtx,
    c: &impl Consumer,
    receive_count: u32,
    error: String,
) -> Outcome {
    tracing::error!(
        message_id = c.message_id(),
        case_id = c.case_id(),
        error,
        "failed for good"
    );
    match c.record_failure(&error).await {
        Recorded::Failed(store) if !ctx.last_receive(receive_count) => {
            Outcome::Retry(format!("{error}; failure not recorded: {store}"))
        }
        _ => Outcome::GiveUp(error),
    }
}
