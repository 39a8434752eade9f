//! What the queue consumers (messaging, export) need of fallwerk's state, as use cases of the
//! App: the claim of a queue message with its lease (docs/ARCHITECTURE.md, "One consumer
//! protocol"), the case and the directory names a notice or a package shows, where a personal
//! notice goes, and a case's whole record for its export package. The workers crate goes through
//! these and never touches the store or the blob store itself.

use chrono::{DateTime, Utc};

use super::App;
use crate::model::{Case, Message};
use crate::ports::{ClaimState, StoreError};
use fallwerk_events::DomainEvent;

/// Display names of a case's org unit and service (their ids when they no longer exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryNames {
    pub org_unit: String,
    pub service: String,
}

impl App {
    /// Claims `message_id` for this consumer until `lease_until`: done already, leased by
    /// another consumer, or claimed now.
    pub async fn claim_work(
        &self,
        message_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<ClaimState, StoreError> {
        self.store.claim_work(message_id, now, lease_until).await
    }

    /// Records the claimed work as done (kept until `kept_until`, so a late copy is recognised).
    pub async fn confirm_work(
        &self,
        message_id: &str,
        kept_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.confirm_work(message_id, kept_until).await
    }

    /// Gives a claim up after a failure, so the next delivery may work the message at once.
    pub async fn release_work(&self, message_id: &str) -> Result<(), StoreError> {
        self.store.release_message(message_id).await
    }

    /// The case as stored, for a consumer (no caller: the queue message is the authority).
    pub async fn case_for_work(&self, case_id: &str) -> Result<Option<Case>, StoreError> {
        self.store.load_case(case_id).await
    }

    /// The org unit's display name, or its id when it no longer exists.
    pub async fn org_unit_name(&self, org_unit_id: &str) -> Result<String, StoreError> {
        Ok(match self.store.org_unit(org_unit_id).await? {
            Some(ou) => ou.name,
            None => org_unit_id.to_string(),
        })
    }

    /// The service's display name, or its LeiKa id when it no longer exists.
    pub async fn service_name(&self, leika_id: &str) -> Result<String, StoreError> {
        Ok(match self.store.service(leika_id).await? {
            Some(s) => s.name,
            None => leika_id.to_string(),
        })
    }

    /// The names of the case's org unit and service.
    pub async fn directory_names(&self, case: &Case) -> Result<DirectoryNames, StoreError> {
        Ok(DirectoryNames {
            org_unit: self.org_unit_name(&case.org_unit_id).await?,
            service: self.service_name(&case.leika_id).await?,
        })
    }

    /// Where a user's personal notices go today: their own e-mail, or during an absence their
    /// active substitute's. `None` when the account is unknown or inactive (the caller then
    /// writes to the org unit). Absence days are the authority's (Europe/Berlin) calendar days.
    pub async fn personal_address(&self, account: &str) -> Result<Option<String>, StoreError> {
        let Some(user) = self.store.user(account).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        let today = crate::deadline::berlin_date(self.clock.now());
        if let Some(substitute) = user.substitute_on(today)
            && let Some(s) = self.store.user(substitute).await?
            && s.active
        {
            return Ok(Some(s.email));
        }
        Ok(Some(user.email))
    }

    /// The whole history of a case, oldest first.
    pub async fn whole_history(&self, case_id: &str) -> Result<Vec<DomainEvent>, StoreError> {
        const PAGE: u32 = 500;
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.history(case_id, after, PAGE).await?;
            let n = page.items.len();
            if let Some(last) = page.items.last() {
                after = last.seq;
            }
            all.extend(page.items);
            if n < PAGE as usize || n == 0 {
                return Ok(all);
            }
        }
    }

    /// Every postbox message of the case, both directions (the export's `case.xml`).
    pub async fn case_messages(&self, case_id: &str) -> Result<Vec<Message>, StoreError> {
        self.store.messages(case_id).await
    }

    /// A stored document or form, checked against its checksum.
    pub async fn blob(&self, key: &str, sha256: &str) -> Result<Vec<u8>, StoreError> {
        self.blobs.get_blob(key, sha256).await
    }
}
