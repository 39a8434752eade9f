//! The integration tests of this crate as one test binary (one link instead of one per file);
//! each module is one former `tests/<name>.rs`.
//! Kept apart as binaries of their own: `tests/logging.rs`, `tests/trust_store.rs` (process-global state).

mod announcement;
mod antrag;
mod authority_documents;
mod casework_rejections;
mod checklist;
#[path = "../common/mod.rs"]
mod common;
mod form;
mod form_engines;
mod hardening;
mod inbox;
mod jwks;
mod lifecycle;
mod local_holidays;
mod openapi;
mod rejections;
mod signature_v2;
mod thread;
mod uploads;
mod user_cache;
mod users;
mod web;
