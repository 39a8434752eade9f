//! The one-time ledger of portal signatures: a verified signature is good once. Claimed by the
//! edge before a route runs, or handed to intake, which claims it while the documents are written
//! so the claim's commit is not one more wait before the case's own.

use chrono::{DateTime, Utc};

use super::{App, AppError};

/// A verified signature, to be recorded as used until `expires`.
#[must_use = "an unclaimed signature lets a replay through"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureClaim {
    /// Names the signed request (client, request digest); holds no personal data.
    pub key: String,
    pub expires: DateTime<Utc>,
}

impl App {
    /// Records the signature as used; [`AppError::Replayed`] when it was used before.
    pub async fn claim_signature(&self, claim: &SignatureClaim) -> Result<(), AppError> {
        if self.store.claim_message(&claim.key, claim.expires).await? {
            Ok(())
        } else {
            Err(AppError::Replayed)
        }
    }
}
