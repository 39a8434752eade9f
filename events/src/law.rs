//! Contract types of deadline law that events carry: how a named date was stated
//! (§ 31 Abs. 3 and 5 VwVfG) and how a decision was announced (§ 41 VwVfG). The rules
//! themselves live in `fallwerk_core::deadline`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the authority stated a date it named itself (e.g. `request_documents.reply_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    /// The end of a period set by the authority: on a Saturday, Sunday or public holiday it
    /// ends with the next working day (§ 31 Abs. 3 Satz 1 VwVfG).
    #[default]
    PeriodEnd,
    /// A specific day told to the person as the end of the period with reference to § 31
    /// Abs. 3 Satz 2 VwVfG: it is not moved, even on a weekend or holiday.
    FixedEnd,
    /// A date (Termin) set by the authority: it stands even on a weekend or holiday
    /// (§ 31 Abs. 5 VwVfG).
    Appointment,
}

/// How a decision (Bescheid) became announced (Bekanntgabe, § 41 VwVfG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementVia {
    /// Retrieved from the portal postbox: the day after retrieval (§ 41 Abs. 2a Satz 3 VwVfG).
    Postbox,
    /// Sent by post: a fixed day after posting, by the state's law (§ 41 Abs. 2 VwVfG).
    Post,
}

/// Serde default for flags that older events did not carry and that were true then.
pub(crate) fn law_default_true() -> bool {
    true
}
