//! One command, start to finish in memory: check the version, decide, apply the events to a copy
//! of the case, and derive what goes out. The caller stores the result in one transaction.

use chrono::{DateTime, Utc};

use super::apply::apply;
use super::command::{Action, Caller, Command};
use super::decide::{Ctx, decide};
use super::error::CommandError;
use super::outgoing;
use crate::model::{Case, Direction, Message};
use fallwerk_events::{CONTRACT_VERSION, DomainEvent, EventKind, QueueMessage};

/// The outcome of an accepted command: the new case state and everything to write with it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub case: Case,
    pub events: Vec<DomainEvent>,
    pub outbox: Vec<QueueMessage>,
    pub messages: Vec<Message>,
}

/// Wraps event kinds into numbered events and applies them to `case` (a copy where the caller
/// keeps the original; intake hands over its new case, whose inline form would be costly to copy).
pub(crate) fn commit(
    case: Case,
    caller: &Caller,
    kinds: Vec<EventKind>,
    at: DateTime<Utc>,
) -> (Case, Vec<DomainEvent>) {
    let mut next = case;
    let mut events = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let event = DomainEvent {
            v: CONTRACT_VERSION,
            case_id: next.id.clone(),
            seq: next.version + 1,
            at,
            actor: caller.actor.clone(),
            kind,
        };
        apply(&mut next, &event);
        events.push(event);
    }
    (next, events)
}

/// Runs `cmd` against `case`. With `expected_version`, a caller working on an older version of
/// the case is refused before anything is decided.
pub fn execute(
    case: &Case,
    caller: &Caller,
    cmd: &Command,
    ctx: &Ctx,
    expected_version: Option<u64>,
) -> Result<Decision, CommandError> {
    if let Some(expected) = expected_version
        && expected != case.version
    {
        // Rights first: a stranger must not learn the version of a case they cannot see.
        if matches!(cmd, Command::Act(_)) && !caller.member_of(&case.org_unit_id) {
            return Err(CommandError::NotVisible);
        }
        return Err(CommandError::StaleVersion {
            expected,
            actual: case.version,
        });
    }
    let kinds = decide(case, caller, cmd, ctx)?;
    let (next, events) = commit(case.clone(), caller, kinds, ctx.now);
    let free_text = match cmd {
        Command::Act(Action::Message { text, .. }) => Some(text.as_str()),
        Command::Act(Action::SendResult { message, .. }) => Some(message.as_str()),
        Command::Act(Action::RequestDocuments { message, .. }) => message.as_deref(),
        _ => None,
    };
    let mut messages = outgoing::postbox(&next, &events, free_text);
    if let Command::ApplicantReply {
        subject,
        text,
        attachments,
    } = cmd
        && let Some(EventKind::ApplicantReplied { message_id, .. }) =
            events.first().map(|e| &e.kind)
    {
        messages.push(Message {
            id: message_id.clone(),
            case_id: case.id.clone(),
            direction: Direction::FromApplicant,
            subject: subject.clone(),
            text: text.clone(),
            attachments: attachments.clone(),
            at: ctx.now,
            author: Some(caller.actor.clone()),
            read: None,
        });
    }
    let outbox = outgoing::outbox(&next, &events);
    Ok(Decision {
        case: next,
        events,
        outbox,
        messages,
    })
}
