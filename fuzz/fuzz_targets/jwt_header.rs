#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::jwt_header`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::jwt_header(data));
