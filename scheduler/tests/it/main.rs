//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

mod announcement;
mod binary;
mod dynamodb;
mod outbox_sweep;
#[path = "../scenarios/mod.rs"]
mod scenarios;
mod sqlite;
