#![no_main]
//! libFuzzer entry: see `fallwerk_fuzz::queue_message`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fallwerk_fuzz::queue_message(data));
