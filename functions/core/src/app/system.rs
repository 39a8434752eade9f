//! Commands from fallwerk itself (queue consumers, export, scheduler), retried on concurrent
//! writes because nobody is there to press "reload".

use super::{App, AppError};
use crate::case::{Caller, Command, Ctx, Decision, execute};
use crate::model::{Case, Service};
use crate::ports::CaseChange;
use fallwerk_events::Actor;

const ATTEMPTS: usize = 5;

impl App {
    /// Applies a system command to the current version of the case, retrying on conflicts.
    pub async fn system_command(
        &self,
        case_id: &str,
        actor: Actor,
        cmd: Command,
    ) -> Result<Decision, AppError> {
        self.system_command_on(case_id, None, None, actor, cmd)
            .await
    }

    /// Like [`App::system_command`], but the first attempt works on `loaded` (a case the caller
    /// has just read) and `service` (the case's service), so a caller that has both pays no
    /// second read. Retries after a conflict always read the case again.
    pub(crate) async fn system_command_on(
        &self,
        case_id: &str,
        mut loaded: Option<Case>,
        service: Option<&Service>,
        actor: Actor,
        cmd: Command,
    ) -> Result<Decision, AppError> {
        let caller = Caller::system(actor);
        let mut last = AppError::Conflict;
        for _ in 0..ATTEMPTS {
            let case = match loaded.take() {
                Some(case) => case,
                None => self
                    .store
                    .load_case(case_id)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?,
            };
            let looked_up;
            let service = match service {
                Some(s) if s.leika_id == case.leika_id => s,
                _ => {
                    looked_up = self.service_of(&case).await?;
                    &looked_up
                }
            };
            let ctx = Ctx {
                now: self.clock.now(),
                service,
                forward_target: None,
            };
            let decision = execute(&case, &caller, &cmd, &ctx, None).map_err(AppError::from)?;
            let change = CaseChange {
                case: decision.case.clone(),
                expected_version: case.version,
                events: decision.events.clone(),
                messages: decision.messages.clone(),
                outbox: decision.outbox.clone(),
            };
            match self.store.save_case(change).await {
                Ok(()) => {
                    self.dispatch(&decision.outbox).await;
                    return Ok(decision);
                }
                Err(e) => {
                    last = AppError::from(e);
                    if !matches!(last, AppError::Conflict) {
                        return Err(last);
                    }
                }
            }
        }
        Err(last)
    }
}
