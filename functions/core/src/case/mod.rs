//! The case aggregate's behaviour: commands, the decision function, event application and
//! everything a decision causes outside the case.

mod act;
mod action_name;
mod announce;
mod apply;
mod command;
mod deadlines;
mod decide;
mod error;
mod execute;
mod intake;
mod notice_law;
mod outgoing;
mod plan;
mod rules;

pub use action_name::ActionName;
pub use announce::retrieval_is_news;
pub use apply::apply;
pub use command::{Action, Caller, Command, Role};
pub use decide::{Ctx, decide};
pub use error::CommandError;
pub use execute::{Decision, execute};
pub use intake::{Receipt, format_reference, receive, received_case};
pub use rules::allowed_actions;
