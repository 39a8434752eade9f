//! Domain types: cases with their tasks and deadlines, org units, services, portal clients.

mod case;
mod checklist;
mod directory;
mod status;

pub use case::*;
pub use checklist::*;
pub use directory::*;
pub use status::*;
