#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::portal_submission`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::portal_submission(data));
