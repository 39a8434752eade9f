//! The directory document an operator keeps in YAML (`fallwerk admin apply FILE.yaml`): the
//! org units, services, portal clients and users to create or update. Here, not in the binary,
//! so the fuzz targets (fuzz/) parse the same type the command does.

use serde::Deserialize;

use super::{OrgUnit, PortalClient, Service, UserInput};

/// The document `admin apply` reads. Unknown keys are refused, so typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryDocument {
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub org_units: Vec<OrgUnit>,
    #[serde(default)]
    pub portal_clients: Vec<PortalClient>,
    /// Users (no passwords: `fallwerk user set-password` sets those).
    #[serde(default)]
    pub users: Vec<UserInput>,
}
