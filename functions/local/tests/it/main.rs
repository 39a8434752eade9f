//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

mod admin_apply;
mod listener;
mod readme_walk;
#[path = "../support/mod.rs"]
mod support;
mod users_cli;
mod without_aws;
