//! Domain types: cases with their tasks and deadlines, org units, services, portal clients, users.

mod case;
mod checklist;
mod directory;
mod directory_document;
mod email;
mod form_data_de;
mod status;
mod user;

pub use case::*;
pub use checklist::*;
pub use directory::*;
pub use directory_document::*;
pub use email::*;
pub use status::*;
pub use user::*;
