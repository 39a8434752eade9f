//! The configuration an authority maintains: org units, services with their deadline rules,
//! and the portal clients allowed to deliver submissions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::deadline::{Calendar, Municipality, Period, State};
use fallwerk_events::ExportTarget;

/// Organisationseinheit: the competent authority unit, routing key of the portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    /// Where new-case notices and escalations go.
    pub notification_email: String,
    /// The German state whose public holidays count for this unit's deadlines.
    #[serde(default)]
    pub state: State,
    /// The unit's seat as amtlicher Gemeindeschlüssel (8 digits, in `state`): its municipal
    /// holidays count as well (§ 193 BGB). Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
    /// The services (LeiKa keys) this unit offers.
    #[serde(default)]
    pub services: Vec<String>,
}

impl OrgUnit {
    pub fn offers(&self, leika_id: &str) -> bool {
        self.services.iter().any(|s| s == leika_id)
    }

    /// The holidays that count for this unit's deadlines.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.state, self.municipality)
    }
}

/// When the statutory processing period starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingStart {
    /// With the complete documents (§42a Abs. 2 VwVfG): suspensions happen before it starts.
    #[default]
    OnComplete,
    /// With the receipt of the application; waiting for the applicant suspends it.
    OnReceipt,
}

/// The deadline rules of a service (docs/ARCHITECTURE.md, "Deadlines").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRules {
    pub competence_check: Period,
    pub completeness_check: Period,
    pub applicant_reply: Period,
    pub processing: Period,
    #[serde(default)]
    pub processing_starts: ProcessingStart,
    /// How long before a due date the warning goes out.
    pub warning_lead: Period,
    /// How long after a due date an unresolved deadline escalates to the org unit.
    pub escalation_delay: Period,
    /// How long a finished case's personal data is kept.
    pub retention: Period,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            competence_check: Period::WorkingDays(3),
            completeness_check: Period::WorkingDays(10),
            applicant_reply: Period::Weeks(4),
            processing: Period::Months(3),
            processing_starts: ProcessingStart::OnComplete,
            warning_lead: Period::WorkingDays(3),
            escalation_delay: Period::WorkingDays(2),
            retention: Period::Months(24),
        }
    }
}

/// Verwaltungsleistung, keyed by its LeiKa id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub leika_id: String,
    pub name: String,
    #[serde(default)]
    pub rules: DeadlineRules,
    #[serde(default)]
    pub required_documents: Vec<String>,
    /// Where `export` delivers; `None` when the service needs no export.
    #[serde(default)]
    pub export_target: Option<ExportTarget>,
}

/// A machine that may deliver submissions (a portal or a form engine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalClient {
    pub id: String,
    pub name: String,
    /// Shared secret for the HMAC signature and the `/antrag` URL token. Never logged.
    pub secret: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// May this client still sign with the deprecated signature version 1 (`timestamp.body`)?
    /// Only for a migration: new clients sign with version 2 (docs/PORTAL-SIGNING.md).
    #[serde(default)]
    pub allow_signature_v1: bool,
    /// Which fields of this client's forms name the applicant, for forms whose ids no
    /// heuristic can guess (docs/intake.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_fields: Option<crate::form::ApplicantFields>,
}

fn yes() -> bool {
    true
}
