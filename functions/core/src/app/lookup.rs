//! Reads of the directory without a caller, for the places that need them before or beside a
//! use case: the portal client a signature names (nobody is authenticated yet), the org unit an
//! `/antrag` submission names, the consumers' addresses, and the admin pages and the operator's
//! CLI, which keep what a form does not edit. Nothing here writes.

use super::App;
use crate::model::{OrgUnit, PortalClient, User};
use crate::ports::StoreError;

impl App {
    /// The portal client with this id, active or not, to check a request's signature.
    pub async fn portal_client(&self, id: &str) -> Result<Option<PortalClient>, StoreError> {
        self.store.portal_client(id).await
    }

    /// An org unit as stored.
    pub async fn org_unit(&self, org_unit_id: &str) -> Result<Option<OrgUnit>, StoreError> {
        self.store.org_unit(org_unit_id).await
    }

    /// The users' whole records, all or one org unit's members, for the operator's CLI.
    pub async fn user_records(&self, org_unit: Option<&str>) -> Result<Vec<User>, StoreError> {
        self.store.users(org_unit).await
    }

    /// A user's whole record (password hash and absence included), for an admin page or the
    /// operator's CLI that changes part of it.
    pub async fn user_record(&self, id: &str) -> Result<Option<User>, StoreError> {
        self.store.user(id).await
    }
}
