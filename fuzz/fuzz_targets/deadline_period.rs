#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::deadline_period`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::deadline_period(data));
