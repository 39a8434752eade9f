//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

#[path = "../scenarios/mod.rs"]
mod scenarios;
mod announcement;
mod binary;
mod dynamodb;
mod outbox_sweep;
mod sqlite;
