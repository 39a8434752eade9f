//! The portal reports that the applicant retrieved a postbox message (Postfach-Abruf). For the
//! result message this is the announcement (§ 41 Abs. 2a VwVfG) that starts the appeal period.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{App, AppError};
use crate::case::{Command, retrieval_is_news};
use crate::model::Case;
use fallwerk_events::Actor;

/// What the portal gets back: whether (and when) the decision counts as announced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetrievalReceipt {
    pub case_id: String,
    pub message_id: String,
    /// Bekanntgabe of the decision, once it is announced (by this retrieval or before).
    pub announced_on: Option<NaiveDate>,
    /// Last day of the appeal period.
    pub appeal_due: Option<NaiveDate>,
}

fn receipt(case: &Case, message_id: &str) -> RetrievalReceipt {
    let a = case.result.as_ref().map(|r| &r.announcement);
    RetrievalReceipt {
        case_id: case.id.clone(),
        message_id: message_id.to_owned(),
        announced_on: a.and_then(|a| a.announced_on),
        appeal_due: a.and_then(|a| a.appeal_due),
    }
}

impl App {
    /// Records the retrieval of `message_id` of a case this portal client delivered. A repeated
    /// report of the result's retrieval changes nothing (the portal may retry).
    pub async fn portal_message_retrieved(
        &self,
        portal_client_id: &str,
        case_id: &str,
        message_id: &str,
    ) -> Result<RetrievalReceipt, AppError> {
        let case = match self.store.load_case(case_id).await? {
            Some(c) if c.submission.portal_client_id == portal_client_id => c,
            _ => return Err(AppError::NotFound(format!("case {case_id}"))),
        };
        let messages = self.store.messages(case_id).await?;
        if !messages.iter().any(|m| m.id == message_id) {
            return Err(AppError::NotFound(format!("message {message_id}")));
        }
        if !retrieval_is_news(&case, message_id) {
            return Ok(receipt(&case, message_id));
        }
        let decision = self
            .system_command(
                case_id,
                Actor::Portal(portal_client_id.to_owned()),
                Command::MessageRetrieved {
                    message_id: message_id.to_owned(),
                },
            )
            .await?;
        Ok(receipt(&decision.case, message_id))
    }
}
