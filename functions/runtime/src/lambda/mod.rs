//! What every Lambda function shares (feature `lambda`): the AWS wiring with its warm-up, the
//! request span of the HTTP functions ([`http`]) and the SQS consumer loop of the messaging and
//! export functions ([`sqs`]). Each function crate is then a short `main.rs` over this module and
//! depends on no other function crate.

pub mod http;
pub mod sqs;

use std::sync::Arc;

use fallwerk_core::app::SystemClock;

use crate::{Aws, Settings, WiringError};

pub use crate::logging::init_lambda_logging as init_logging;

/// Settings and AWS clients from the environment (`FALLWERK_*`, the SDK's standard variables)
/// with the system clock, and the DynamoDB connection warmed so the first request pays no
/// handshake.
pub async fn aws_from_env() -> Result<Aws, WiringError> {
    let aws = Aws::from_env(Settings::from_env()?, Arc::new(SystemClock)).await?;
    aws.warm_up().await;
    Ok(aws)
}
