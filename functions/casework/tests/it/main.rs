//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.

mod runtime_api;
mod samples;
