//! Commands from fallwerk itself (queue consumers, export, scheduler), retried on concurrent
//! writes because nobody is there to press "reload".

use std::borrow::Cow;

use super::runner::retry_after;
use super::{App, AppError};
use crate::case::{Caller, Command, Ctx, Decision};
use crate::model::{Case, Service};
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
        let mut attempt = 0;
        loop {
            attempt += 1;
            let case = match loaded.take() {
                Some(case) => case,
                None => self
                    .store
                    .load_case(case_id)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?,
            };
            let service: Cow<'_, Service> = match service {
                Some(s) if s.leika_id == case.leika_id => Cow::Borrowed(s),
                _ => Cow::Owned(self.service_of(&case).await?),
            };
            let ctx = Ctx {
                now: self.clock.now(),
                service: &service,
                forward_target: None,
            };
            let result = self.run_command(&case, &caller, &cmd, &ctx, None).await;
            if !retry_after(&result, attempt, ATTEMPTS) {
                return result;
            }
        }
    }
}
