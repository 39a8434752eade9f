//! `SqsQueue`: the core [`Queue`] port on Amazon SQS, plus the consumer side (`receive`,
//! `delete`, `retry_later`) with which `fallwerk serve --backend aws` polls the way a Lambda
//! event source mapping does, and [`create_queues`] for tests and `fallwerk init-aws`
//! (production queues come from infra/template.yaml).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use fallwerk_core::ports::{Queue, QueueError};
use fallwerk_events::{QueueMessage, QueueName};
use serde::{Deserialize, Serialize};

use crate::retry_class::describe;

/// Message attribute carrying the fallwerk message id (idempotency key of the consumers).
pub const MESSAGE_ID_ATTRIBUTE: &str = "message_id";
/// Message attribute carrying the message type (`OrgUnitNotification`, `ExportRequested`, ...).
pub const TYPE_ATTRIBUTE: &str = "type";

/// Visibility timeouts as in infra/template.yaml (6 x the consuming function's timeout).
const MESSAGING_VISIBILITY_SECONDS: u32 = 360;
const EXPORT_VISIBILITY_SECONDS: u32 = 1800;
const RETENTION_SECONDS: u32 = 345_600;
const DLQ_RETENTION_SECONDS: u32 = 1_209_600;

/// An SQS client for `config`.
pub fn sqs_client(config: &aws_config::SdkConfig) -> Client {
    Client::new(config)
}

/// The URLs of fallwerk's queues and their dead-letter queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueUrls {
    pub messaging: String,
    pub messaging_dlq: String,
    pub export: String,
    pub export_dlq: String,
}

/// One received SQS message, as a Lambda SQS event record would carry it.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsDelivery {
    /// Handle for [`SqsQueue::delete`] and [`SqsQueue::retry_later`].
    pub receipt_handle: String,
    /// The SQS message id (not the fallwerk `message_id`, which is inside the body).
    pub message_id: String,
    /// The decoded body, or why it is not a [`QueueMessage`] (a poison message).
    pub body: Result<QueueMessage, String>,
    /// `ApproximateReceiveCount`: 1 on the first delivery.
    pub receive_count: u32,
    /// The string message attributes (`message_id`, `type`).
    pub attributes: BTreeMap<String, String>,
}

/// Sends [`QueueMessage`]s to the SQS queue of their [`QueueName`] and polls those queues.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    messaging_url: String,
    export_url: String,
}

fn queue_error(err: impl std::error::Error) -> QueueError {
    QueueError(describe(err))
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, QueueError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(queue_error)
}

/// The serde tag of a message (the `"type"` field of its JSON).
fn message_type(message: &QueueMessage) -> &'static str {
    match message {
        QueueMessage::OrgUnitNotification(_) => "OrgUnitNotification",
        QueueMessage::ApplicantNotification(_) => "ApplicantNotification",
        QueueMessage::DeadlineReminder(_) => "DeadlineReminder",
        QueueMessage::ExportRequested(_) => "ExportRequested",
        QueueMessage::ResultDelivery(_) => "ResultDelivery",
        QueueMessage::AssigneeNotification(_) => "AssigneeNotification",
    }
}

/// SQS takes i32 seconds; everything here is clamped to SQS's limits first.
fn secs(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl SqsQueue {
    pub fn new(
        client: Client,
        messaging_url: impl Into<String>,
        export_url: impl Into<String>,
    ) -> Self {
        SqsQueue {
            client,
            messaging_url: messaging_url.into(),
            export_url: export_url.into(),
        }
    }

    /// The queue on `urls.messaging` and `urls.export`.
    pub fn from_urls(client: Client, urls: &QueueUrls) -> Self {
        SqsQueue::new(client, urls.messaging.clone(), urls.export.clone())
    }

    /// The configured URL of `queue`.
    pub fn url(&self, queue: QueueName) -> &str {
        match queue {
            QueueName::Messaging => &self.messaging_url,
            QueueName::Export => &self.export_url,
        }
    }

    /// Receives up to `max` (clamped to 1..=10) messages, long-polling up to `wait_seconds`
    /// (clamped to 0..=20); received messages stay invisible for `visibility_seconds` (clamped to
    /// 0..=43200) unless deleted or given back with [`SqsQueue::retry_later`].
    pub async fn receive(
        &self,
        queue: QueueName,
        max: u32,
        wait_seconds: u32,
        visibility_seconds: u32,
    ) -> Result<Vec<SqsDelivery>, QueueError> {
        let resp = self
            .client
            .receive_message()
            .queue_url(self.url(queue))
            .max_number_of_messages(secs(max.clamp(1, 10)))
            .wait_time_seconds(secs(wait_seconds.min(20)))
            .visibility_timeout(secs(visibility_seconds.min(43_200)))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(queue_error)?;
        let mut deliveries = Vec::new();
        for msg in resp.messages() {
            let Some(receipt_handle) = msg.receipt_handle() else {
                tracing::warn!(
                    queue = queue.as_str(),
                    sqs_message_id = msg.message_id(),
                    "SQS returned a message without receipt handle; skipped"
                );
                continue;
            };
            let body = match msg.body() {
                Some(body) => serde_json::from_str::<QueueMessage>(body)
                    .map_err(|e| format!("body is not a queue message: {e}")),
                None => Err("message has no body".to_string()),
            };
            let receive_count = msg
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|c| c.parse().ok())
                .unwrap_or(1);
            let attributes = msg
                .message_attributes()
                .map(|attrs| {
                    attrs
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.string_value()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            deliveries.push(SqsDelivery {
                receipt_handle: receipt_handle.to_string(),
                message_id: msg.message_id().unwrap_or_default().to_string(),
                body,
                receive_count,
                attributes,
            });
        }
        Ok(deliveries)
    }

    /// Removes a processed message from `queue`.
    pub async fn delete(&self, queue: QueueName, receipt_handle: &str) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(self.url(queue))
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    /// Makes a received message visible again after `seconds` (clamped to 0..=43200): the
    /// failed item of a partial batch failure.
    pub async fn retry_later(
        &self,
        queue: QueueName,
        receipt_handle: &str,
        seconds: u32,
    ) -> Result<(), QueueError> {
        self.client
            .change_message_visibility()
            .queue_url(self.url(queue))
            .receipt_handle(receipt_handle)
            .visibility_timeout(secs(seconds.min(43_200)))
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, message: &QueueMessage) -> Result<(), QueueError> {
        let body = serde_json::to_string(message)
            .map_err(|e| QueueError(format!("cannot encode queue message: {e}")))?;
        self.client
            .send_message()
            .queue_url(self.url(message.queue()))
            .message_body(body)
            .message_attributes(
                MESSAGE_ID_ATTRIBUTE,
                string_attribute(message.message_id())?,
            )
            .message_attributes(TYPE_ATTRIBUTE, string_attribute(message_type(message))?)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }
}

async fn create_queue(
    client: &Client,
    name: &str,
    attributes: Vec<(QueueAttributeName, String)>,
) -> Result<String, QueueError> {
    let mut req = client.create_queue().queue_name(name);
    for (k, v) in attributes {
        req = req.attributes(k, v);
    }
    let resp = req.send().await.map_err(queue_error)?;
    resp.queue_url()
        .map(str::to_string)
        .ok_or_else(|| QueueError(format!("CreateQueue {name} returned no queue URL")))
}

async fn queue_arn(client: &Client, url: &str) -> Result<String, QueueError> {
    let resp = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(queue_error)?;
    resp.attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| QueueError(format!("queue {url} has no QueueArn")))
}

/// A work queue `{prefix}-{name}` with its dead-letter queue `{prefix}-{name}-dlq`.
async fn create_pair(
    client: &Client,
    prefix: &str,
    name: &str,
    visibility_seconds: u32,
    max_receive_count: u32,
) -> Result<(String, String), QueueError> {
    let dlq = create_queue(
        client,
        &format!("{prefix}-{name}-dlq"),
        vec![(
            QueueAttributeName::MessageRetentionPeriod,
            DLQ_RETENTION_SECONDS.to_string(),
        )],
    )
    .await?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": queue_arn(client, &dlq).await?,
        "maxReceiveCount": max_receive_count.max(1),
    });
    let queue = create_queue(
        client,
        &format!("{prefix}-{name}"),
        vec![
            (
                QueueAttributeName::VisibilityTimeout,
                visibility_seconds.to_string(),
            ),
            (
                QueueAttributeName::MessageRetentionPeriod,
                RETENTION_SECONDS.to_string(),
            ),
            (QueueAttributeName::RedrivePolicy, redrive.to_string()),
        ],
    )
    .await?;
    Ok((queue, dlq))
}

/// Creates `{prefix}-messaging` and `{prefix}-export` with their `-dlq` dead-letter queues; a
/// message moves to the DLQ when received more than `max_receive_count` times (at least 1).
/// Idempotent as long as the settings are the same. For tests and dev endpoints
/// (`fallwerk init-aws`); production queues come from infra/template.yaml.
pub async fn create_queues(
    client: &Client,
    prefix: &str,
    max_receive_count: u32,
) -> Result<QueueUrls, QueueError> {
    let (messaging, messaging_dlq) = create_pair(
        client,
        prefix,
        QueueName::Messaging.as_str(),
        MESSAGING_VISIBILITY_SECONDS,
        max_receive_count,
    )
    .await?;
    let (export, export_dlq) = create_pair(
        client,
        prefix,
        QueueName::Export.as_str(),
        EXPORT_VISIBILITY_SECONDS,
        max_receive_count,
    )
    .await?;
    Ok(QueueUrls {
        messaging,
        messaging_dlq,
        export,
        export_dlq,
    })
}
