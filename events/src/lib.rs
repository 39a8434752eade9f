//! The contracts between fallwerk's parts: the domain events that form a case's audit trail and
//! the messages that travel over queues. Every type here is plain serde data, versioned with
//! `"v": 1`, so producers and consumers can be deployed independently.

mod common;
mod domain;
mod law;
mod queue;
pub mod schema;

pub use common::*;
pub use domain::*;
pub(crate) use law::law_default_true;
pub use law::*;
pub use queue::*;

/// The contract version written into every event and message as `"v"`.
pub const CONTRACT_VERSION: u8 = 1;
