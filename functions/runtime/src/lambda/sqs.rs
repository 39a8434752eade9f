//! The SQS Lambda functions `fallwerk-messaging` and `fallwerk-export`: an SQS batch in, each
//! record parsed as a [`QueueMessage`] and handed to [`fallwerk_workers::handle`], and an
//! [`SqsBatchResponse`] out that lists exactly the records to be redelivered (the event source
//! mapping uses `ReportBatchItemFailures`). Both functions run [`run`]; they differ only in the
//! queue their event source mapping reads.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use fallwerk_events::QueueMessage;
use fallwerk_workers::{Outcome, WorkerCtx, handle};
use lambda_runtime::{LambdaEvent, service_fn};
use tracing::Instrument;

pub use lambda_runtime::Error;

/// The receive count of a record (`attributes.ApproximateReceiveCount`), 1 when absent.
pub fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.trim().parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// Handles one batch. A record is reported as a batch item failure (SQS redelivers it; after
/// the queue's maxReceiveCount it goes to the dead-letter queue) when its body is not a
/// [`QueueMessage`] or its outcome is [`Outcome::Retry`] or [`Outcome::GiveUp`]; a `GiveUp`
/// has been recorded on the case already. Done records are deleted by the event source mapping.
pub async fn process(ctx: &WorkerCtx, event: SqsEvent) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for record in event.records {
        let Some(sqs_id) = record.message_id.clone() else {
            // Cannot be reported as a failure without an id; SQS always sets one.
            tracing::error!("SQS record without messageId skipped");
            continue;
        };
        let receives = receive_count(&record);
        let parsed = record
            .body
            .as_deref()
            .ok_or_else(|| "the record has no body".to_string())
            .and_then(|b| serde_json::from_str::<QueueMessage>(b).map_err(|e| e.to_string()));
        let outcome = match parsed {
            Ok(message) => {
                let span = tracing::info_span!(
                    "message",
                    sqs_id = %sqs_id,
                    message_id = %message.message_id(),
                    case_id = %message.case_id(),
                    receive_count = receives,
                );
                handle(ctx, &message, receives).instrument(span).await
            }
            Err(reason) => Outcome::GiveUp(format!("unreadable message: {reason}")),
        };
        match outcome {
            Outcome::Done => {}
            Outcome::Retry(reason) => {
                tracing::warn!(sqs_id = %sqs_id, receive_count = receives, reason, "will retry");
                failures.push(failure(sqs_id));
            }
            Outcome::GiveUp(reason) => {
                tracing::error!(sqs_id = %sqs_id, receive_count = receives, reason, "giving up");
                failures.push(failure(sqs_id));
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

fn failure(sqs_id: String) -> BatchItemFailure {
    let mut f = BatchItemFailure::default();
    f.item_identifier = sqs_id;
    f
}

/// The worker context from the environment (`FALLWERK_*`, AWS SDK variables), with the
/// DynamoDB connection warmed.
pub async fn init() -> Result<WorkerCtx, Error> {
    Ok(super::aws_from_env().await?.worker_ctx()?)
}

/// The whole function: logging, [`init`], then the Lambda runtime loop over [`process`].
pub async fn run(function: &'static str) -> Result<(), Error> {
    super::init_logging();
    let ctx = match init().await {
        Ok(ctx) => ctx,
        Err(e) => {
            tracing::error!(function, error = %e, "init failed");
            return Err(e);
        }
    };
    let ctx = &ctx;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let span = tracing::info_span!(
            "lambda",
            function,
            request_id = %event.context.request_id,
            records = event.payload.records.len(),
        );
        let response = process(ctx, event.payload).instrument(span).await;
        Ok::<_, Error>(response)
    }))
    .await
}
