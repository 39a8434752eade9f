//! The postbox thread as caseworkers read it: every message to and from the applicant with its
//! text, attachments, author and time, and which of the applicant's messages a caseworker has
//! read. Only caseworkers of the case's org unit see it; internal comments are not part of it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{App, AppError};
use crate::case::Caller;
use crate::model::{AttachmentMeta, Case, Direction, Message, ReadMark};
use fallwerk_events::Actor;

/// `GET /v1/cases/{id}/thread`: everything a page needs to show the postbox in one call.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Thread {
    pub case_id: String,
    pub reference: String,
    /// Messages from the applicant that no caseworker has marked as read yet.
    pub unread: u32,
    /// Oldest first.
    pub messages: Vec<ThreadMessage>,
}

/// One postbox message in the caseworkers' view.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ThreadMessage {
    pub id: String,
    pub direction: Direction,
    pub subject: String,
    pub text: String,
    pub at: DateTime<Utc>,
    /// Who wrote it; absent for messages stored before authors were recorded.
    pub author: Option<Actor>,
    /// The documents that came with it (download: `GET /v1/cases/{id}/attachments/{n}`).
    pub attachments: Vec<ThreadAttachment>,
    /// `true` for a message from the applicant that no caseworker has read yet.
    pub unread: bool,
    /// Who read the applicant's message first, and when.
    pub read: Option<ReadMark>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ThreadAttachment {
    pub n: u32,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

impl From<&AttachmentMeta> for ThreadAttachment {
    fn from(a: &AttachmentMeta) -> Self {
        ThreadAttachment {
            n: a.n,
            name: a.name.clone(),
            media_type: a.media_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
        }
    }
}

fn thread(case: &Case, messages: Vec<Message>) -> Thread {
    let messages: Vec<ThreadMessage> = messages
        .into_iter()
        .map(|m| ThreadMessage {
            unread: m.direction == Direction::FromApplicant && m.read.is_none(),
            attachments: m
                .attachments
                .iter()
                .filter_map(|n| case.attachments.iter().find(|a| a.n == *n))
                .map(ThreadAttachment::from)
                .collect(),
            id: m.id,
            direction: m.direction,
            subject: m.subject,
            text: m.text,
            at: m.at,
            author: m.author,
            read: m.read,
        })
        .collect();
    Thread {
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        unread: messages.iter().filter(|m| m.unread).count() as u32,
        messages,
    }
}

impl App {
    /// The case's postbox thread; 404 for unknown and foreign cases alike.
    pub async fn thread(&self, caller: &Caller, case_id: &str) -> Result<Thread, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let messages = self.store.messages(case_id).await?;
        Ok(thread(&case, messages))
    }

    /// Marks messages from the applicant as read by the caller (all unread ones when
    /// `message_ids` is `None`). A mark is set once: the first reader stays recorded. Naming a
    /// message the case does not have, or one to the applicant, is refused (422).
    pub async fn mark_thread_read(
        &self,
        caller: &Caller,
        case_id: &str,
        message_ids: Option<Vec<String>>,
    ) -> Result<Thread, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let account = caller
            .account()
            .ok_or_else(|| AppError::Forbidden("only caseworkers mark messages read".into()))?
            .to_string();
        let messages = self.store.messages(case_id).await?;
        let targets: Vec<&Message> = match &message_ids {
            None => messages
                .iter()
                .filter(|m| m.direction == Direction::FromApplicant && m.read.is_none())
                .collect(),
            Some(ids) => {
                if ids.is_empty() || ids.len() > 100 {
                    return Err(AppError::invalid(
                        "message_ids",
                        "name between 1 and 100 messages, or leave the field out for all unread",
                    ));
                }
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    match messages.iter().find(|m| &m.id == id) {
                        Some(m) if m.direction == Direction::FromApplicant => out.push(m),
                        Some(_) => {
                            return Err(AppError::invalid(
                                "message_ids",
                                format!(
                                    "`{id}` is a message to the applicant; only the applicant's messages are marked read"
                                ),
                            ));
                        }
                        None => {
                            return Err(AppError::invalid(
                                "message_ids",
                                format!("the case has no message `{id}`"),
                            ));
                        }
                    }
                }
                out
            }
        };
        let mark = ReadMark {
            by: account,
            at: self.clock.now(),
        };
        for m in targets.iter().filter(|m| m.read.is_none()) {
            self.store.mark_message_read(case_id, &m.id, &mark).await?;
        }
        let messages = self.store.messages(case_id).await?;
        Ok(thread(&case, messages))
    }
}
