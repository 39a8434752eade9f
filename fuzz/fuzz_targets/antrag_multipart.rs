#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::antrag_multipart`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::antrag_multipart(data));
