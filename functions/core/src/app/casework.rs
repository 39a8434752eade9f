//! Caseworker use cases: the inbox, a case with what may be done next, its history and
//! documents, and actions. A caseworker sees only cases of their org units.

use schemars::JsonSchema;
use serde::Serialize;

use super::{App, AppError, require_caseworker};
use crate::case::{Action, ActionName, Caller, Command, Ctx, allowed_actions};
use crate::model::{AttachmentMeta, Case, OrgUnit, Service};
use crate::ports::Page;
use fallwerk_events::DomainEvent;

/// A case as a caseworker sees it, with the actions it accepts now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    pub allowed_actions: Vec<ActionName>,
    pub open_task: Option<crate::model::TaskKind>,
    pub overdue: bool,
    /// The checklist of documents: required by the service or named by the open request.
    pub checklist: Vec<crate::model::ChecklistItem>,
    /// What `request_documents` should ask for: required documents not yet received.
    pub missing_documents: Vec<String>,
    /// "Antragsteller nicht erkannt" when the sender's form named nobody (the name is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_hint: Option<&'static str>,
}

impl App {
    /// Loads a case the caller may see; 404 for unknown and for foreign cases alike.
    pub async fn visible_case(&self, caller: &Caller, case_id: &str) -> Result<Case, AppError> {
        require_caseworker(caller)?;
        match self.store.load_case(case_id).await? {
            Some(c) if caller.member_of(&c.org_unit_id) => Ok(c),
            _ => Err(AppError::NotFound(format!("case {case_id}"))),
        }
    }

    pub(crate) async fn service_of(&self, case: &Case) -> Result<Service, AppError> {
        self.store
            .service(&case.leika_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("service {}", case.leika_id)))
    }

    pub async fn case_view(&self, caller: &Caller, case_id: &str) -> Result<CaseView, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let service = self.service_of(&case).await?;
        Ok(view(case, &service, self.clock.now()))
    }

    pub async fn history(
        &self,
        caller: &Caller,
        case_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> Result<Page<DomainEvent>, AppError> {
        self.visible_case(caller, case_id).await?;
        Ok(self
            .store
            .history(case_id, after_seq, limit.clamp(1, 500))
            .await?)
    }

    pub async fn attachment(
        &self,
        caller: &Caller,
        case_id: &str,
        n: u32,
    ) -> Result<(AttachmentMeta, Vec<u8>), AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let meta = case
            .attachments
            .into_iter()
            .find(|a| a.n == n)
            .ok_or_else(|| AppError::NotFound(format!("attachment {n}")))?;
        let bytes = self.blobs.get_blob(&meta.key, &meta.sha256).await?;
        Ok((meta, bytes))
    }

    /// Runs a caseworker action against the version the caller saw.
    pub async fn act(
        &self,
        caller: &Caller,
        case_id: &str,
        expected_version: u64,
        action: Action,
    ) -> Result<CaseView, AppError> {
        let case = match self.store.load_case(case_id).await? {
            Some(c) if caller.member_of(&c.org_unit_id) => c,
            _ => return Err(AppError::NotFound(format!("case {case_id}"))),
        };
        if let Action::Assign { user: Some(user) } = &action {
            self.check_assignee(&case, user).await?;
        }
        let service = self.service_of(&case).await?;
        let target: Option<OrgUnit> = match &action {
            Action::Forward { org_unit_id, .. } => self.store.org_unit(org_unit_id).await?,
            _ => None,
        };
        let ctx = Ctx {
            now: self.clock.now(),
            service: &service,
            forward_target: target.as_ref(),
        };
        let decision = self
            .run_command(
                &case,
                caller,
                &Command::Act(action),
                &ctx,
                Some(expected_version),
            )
            .await?;
        Ok(view(decision.case, &service, self.clock.now()))
    }
}

fn view(case: Case, service: &Service, now: chrono::DateTime<chrono::Utc>) -> CaseView {
    CaseView {
        allowed_actions: allowed_actions(&case, service, now),
        open_task: case.open_task(),
        overdue: case.is_overdue(),
        checklist: crate::model::checklist(&case, service),
        missing_documents: crate::model::missing_documents(&case, service),
        applicant_hint: (!case.applicant.recognised() && !case.personal_data_purged)
            .then_some(crate::form::NOT_RECOGNISED),
        case,
    }
}
