//! The messaging consumer: org unit notices, applicant notices, deadline reminders and result
//! notices as e-mail, through the consumer protocol ([`crate::protocol`]): the message is
//! claimed with a lease before the mail goes out and confirmed after it went out; a failed send
//! gives the claim back. A crash in between is repaired by the redelivery: exactly once when
//! nothing went out, at most twice with the same `Message-ID` when the confirmation was lost.

mod compose;

pub use compose::{Composed, compose, postbox_link};

use async_trait::async_trait;
use fallwerk_core::ports::{Mail, MailError};
use fallwerk_events::QueueMessage;

use crate::ctx::{Outcome, WorkerCtx};
use crate::protocol::{self, Consumer, Work};
use crate::record::{self, Recorded};

/// Why a mail could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// The store failed; a redelivery may succeed.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (unknown org unit, broken template).
    #[error("{0}")]
    Permanent(String),
}

/// One notice on its way out.
struct Notice<'a> {
    ctx: &'a WorkerCtx,
    message: &'a QueueMessage,
    /// The composed mail; `None` only while composing failed, when the notice is used to record
    /// that failure through the same protocol (it is never worked then).
    mail: Option<Mail>,
}

#[async_trait]
impl Consumer for Notice<'_> {
    fn message_id(&self) -> &str {
        self.message.message_id()
    }

    fn case_id(&self) -> &str {
        self.message.case_id()
    }

    async fn work(&self) -> Work {
        let Some(mail) = &self.mail else {
            return Work::Done;
        };
        match self.ctx.mailer.send(mail).await {
            Ok(transport_id) => {
                tracing::info!(
                    message_id = self.message_id(),
                    case_id = self.case_id(),
                    transport_id,
                    "e-mail sent"
                );
                Work::Done
            }
            Err(MailError::Transient(e)) => Work::Failed {
                error: format!("e-mail not sent: {e}"),
                permanent: false,
            },
            Err(MailError::Permanent(e)) => Work::Failed {
                error: format!("e-mail rejected: {e}"),
                permanent: true,
            },
        }
    }

    async fn record_failure(&self, error: &str) -> Recorded {
        record::notification_failed(self.ctx, self.case_id(), self.message_id(), error).await
    }
}

/// Handles one messaging-queue message delivered for the `receive_count`-th time (1 = first).
/// An `ExportRequested` is passed on to [`crate::handle_export`].
pub async fn handle_message(
    ctx: &WorkerCtx,
    message: &QueueMessage,
    receive_count: u32,
) -> Outcome {
    if let QueueMessage::ExportRequested(req) = message {
        return crate::export::handle_export(ctx, req, receive_count).await;
    }
    let mut notice = Notice {
        ctx,
        message,
        mail: None,
    };
    match compose(ctx, message).await {
        Ok(Composed::Send(mail)) => notice.mail = Some(mail),
        Ok(Composed::Skip(why)) => {
            tracing::info!(
                message_id = message.message_id(),
                case_id = message.case_id(),
                why,
                "nothing to send"
            );
            return Outcome::Done;
        }
        Err(ComposeError::Transient(e)) => {
            let error = format!("cannot prepare the e-mail: {e}");
            return protocol::failed(ctx, &notice, receive_count, error).await;
        }
        Err(ComposeError::Permanent(e)) => {
            let error = format!("cannot prepare the e-mail: {e}");
            return protocol::give_up(ctx, &notice, receive_count, error).await;
        }
    }
    protocol::run(ctx, &notice, receive_count).await
}
