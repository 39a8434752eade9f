//! The subcommands of the `fallwerk` binary, one module each.

pub mod admin;
pub mod deadline;
pub mod init_aws;
pub mod queue;
pub mod serve;
pub mod token;
pub mod user;
