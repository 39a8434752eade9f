//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

mod announcement;
mod checklist;
#[path = "../common/mod.rs"]
mod common;
mod fixed_dates;
mod holiday_crosscheck;
mod lifecycle;
mod properties;
mod rejections;
