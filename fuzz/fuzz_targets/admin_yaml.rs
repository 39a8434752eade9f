#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::admin_yaml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::admin_yaml(data));
