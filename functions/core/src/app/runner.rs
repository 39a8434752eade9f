//! The one way a command changes a case, for caseworker, portal and system commands alike:
//! decide on the loaded version (`case::execute`), save the new case with its events, messages,
//! outbox and reminder ledger entries in one version-guarded write, then hand the outbox to the
//! queue. What differs
//! between callers stays with them: how the case is loaded, what is written before the save
//! (documents), and whether a version conflict is retried (nobody can press "reload" for the
//! system or the portal) or answered (a caseworker sees "someone else changed this case").

use super::{App, AppError};
use crate::case::{Caller, Command, Ctx, Decision, execute};
use crate::model::{Case, Service};
use crate::ports::{CaseChange, ledger_entries};

impl App {
    /// Decides `cmd` on `case` and saves the decision ([`App::save_decision`]): the whole of a
    /// command that writes nothing before its save. `expected_version` is the version the
    /// caller saw (caseworkers); `None` decides on the version loaded.
    pub(crate) async fn run_command(
        &self,
        case: &Case,
        caller: &Caller,
        cmd: &Command,
        ctx: &Ctx<'_>,
        expected_version: Option<u64>,
    ) -> Result<Decision, AppError> {
        let decision = execute(case, caller, cmd, ctx, expected_version)?;
        self.save_decision(case.version, decision).await
    }

    /// Saves `decision`, taken on the case as loaded at `loaded_version`, in one version-guarded
    /// write (a concurrent writer makes it [`AppError::Conflict`] and nothing is written), then
    /// dispatches its outbox. Answers the decision as saved.
    pub(crate) async fn save_decision(
        &self,
        loaded_version: u64,
        decision: Decision,
    ) -> Result<Decision, AppError> {
        self.store
            .save_case(CaseChange {
                case: decision.case.clone(),
                expected_version: loaded_version,
                events: decision.events.clone(),
                messages: decision.messages.clone(),
                outbox: decision.outbox.clone(),
                ledger: ledger_entries(&decision.events),
            })
            .await?;
        self.dispatch(&decision.outbox).await;
        Ok(decision)
    }

    /// The case as stored now, with its service; 404 when there is no such case.
    pub(crate) async fn stored_case(&self, case_id: &str) -> Result<(Case, Service), AppError> {
        let case = self
            .store
            .load_case(case_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?;
        let service = self.service_of(&case).await?;
        Ok((case, service))
    }
}

/// Whether a failed attempt may be made again on a freshly loaded case: a version conflict, and
/// attempts left.
pub(crate) fn retry_after(result: &Result<Decision, AppError>, attempt: usize, of: usize) -> bool {
    matches!(result, Err(AppError::Conflict)) && attempt < of
}
