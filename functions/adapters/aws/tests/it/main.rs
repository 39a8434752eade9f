//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

#[path = "../common/mod.rs"]
mod common;
mod contract;
mod dynamo_smoke;
mod inbox_backfill;
mod sqs_ses_s3;
