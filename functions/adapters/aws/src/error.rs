//! Maps AWS SDK errors to the ports' [`StoreError`] (the display chain, never a panic).

use aws_sdk_dynamodb::error::DisplayErrorContext;
use fallwerk_core::ports::StoreError;

/// Any SDK (or build) error as [`StoreError::Backend`], with the full cause chain.
pub fn backend<E: std::error::Error>(err: E) -> StoreError {
    StoreError::Backend(DisplayErrorContext(err).to_string())
}

/// A stored record that cannot be decoded: the table holds something this code did not write.
pub fn bad_record(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("stored {what} is unreadable: {detail}"))
}
