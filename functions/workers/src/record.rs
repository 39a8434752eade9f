//! Writes what a consumer learned back to the case through the core's system commands.

use fallwerk_core::app::AppError;
use fallwerk_core::case::Command;
use fallwerk_events::Actor;

use crate::ctx::WorkerCtx;

/// How a system command went.
pub(crate) enum Recorded {
    /// Written.
    Yes,
    /// The case refused it (status moved on, recorded before, case gone): nothing to retry.
    Refused,
    /// The store failed; a retry may succeed.
    Failed(String),
}

/// Longest error text stored on a case.
const MAX_ERROR: usize = 500;

pub(crate) fn bounded(error: &str) -> String {
    let mut s: String = error.chars().take(MAX_ERROR).collect();
    if s.len() < error.len() {
        s.push('…');
    }
    s
}

pub(crate) async fn system(ctx: &WorkerCtx, case_id: &str, cmd: Command) -> Recorded {
    let name = cmd.name();
    match ctx.app.system_command(case_id, Actor::System, cmd).await {
        Ok(_) => Recorded::Yes,
        Err(e @ (AppError::Store(_) | AppError::Conflict)) => {
            tracing::warn!(case_id, command = name, error = %e, "could not record on the case");
            Recorded::Failed(e.to_string())
        }
        Err(e) => {
            tracing::info!(case_id, command = name, error = %e, "case refused the record");
            Recorded::Refused
        }
    }
}

/// Records an undeliverable notification on the case (shown to caseworkers).
pub(crate) async fn notification_failed(
    ctx: &WorkerCtx,
    case_id: &str,
    message_id: &str,
    error: &str,
) -> Recorded {
    let cmd = Command::NotificationFailed {
        message_id: message_id.to_string(),
        error: bounded(error),
    };
    system(ctx, case_id, cmd).await
}
