//! Test support: the shared emulator helpers of `fallwerk_aws::testing`.

#![allow(unused_imports)] // each test binary uses a part of it

pub use fallwerk_aws::testing::*;
