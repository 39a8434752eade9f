//! The subcommands of the `fallwerk` binary, one module each.

pub mod deadline;
