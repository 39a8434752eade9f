//! `OutboxStore` on DynamoDB: pending entries listed through the `due` index (`OUTBOX#{shard}`),
//! and processed-markers for idempotent queue consumers.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use chrono::{DateTime, Duration, Utc};
use fallwerk_core::ports::{ClaimState, OutboxEntry, OutboxStore, StoreResult};

use super::DynamoStore;
use crate::codec::{from_attr, get_n, get_s, item, n};
use crate::error::{backend, bad_record};
use crate::keys::*;

const MAX_PENDING: u32 = 1000;
/// How long an unconfirmed claim's marker is kept after its lease.
const KEEP_UNCONFIRMED_DAYS: i64 = 14;

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn outbox_pending(
        &self,
        created_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let limit = limit.clamp(1, MAX_PENDING) as usize;
        self.due_index(outbox_shard_pk, created_before, limit)
            .await?
            .iter()
            .map(|it| {
                let raw = get_s(it, CREATED_AT)
                    .ok_or_else(|| bad_record("outbox entry", "no created_at"))?;
                let created_at = DateTime::parse_from_rfc3339(raw)
                    .map_err(|e| bad_record("outbox entry", e))?
                    .with_timezone(&Utc);
                Ok(OutboxEntry {
                    message: from_attr(it, DATA, "outbox entry")?,
                    created_at,
                })
            })
            .collect()
    }

    async fn outbox_done(&self, message_id: &str) -> StoreResult<()> {
        self.delete_item(outbox_pk(message_id), META).await
    }

    async fn claim_message(
        &self,
        message_id: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut it = item(processed_pk(message_id), META);
        it.insert(TTL.into(), n(expires_at.timestamp()));
        self.put_once(it).await
    }

    async fn claim_work(
        &self,
        message_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<ClaimState> {
        let mut it = item(processed_pk(message_id), META);
        it.insert(LEASE_UNTIL_MS.into(), n(lease_until.timestamp_millis()));
        let ttl = lease_until + Duration::days(KEEP_UNCONFIRMED_DAYS);
        it.insert(TTL.into(), n(ttl.timestamp()));
        // A confirmed marker has no lease attribute, so `<` is false for it.
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .condition_expression("attribute_not_exists(pk) OR #lease < :now")
            .expression_attribute_names("#lease", LEASE_UNTIL_MS)
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(ClaimState::Claimed),
            Err(SdkError::ServiceError(ctx))
                if matches!(ctx.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                let held = match ctx.err() {
                    PutItemError::ConditionalCheckFailedException(e) => {
                        e.item().and_then(|old| get_n(old, LEASE_UNTIL_MS))
                    }
                    _ => None,
                };
                Ok(match held {
                    None => ClaimState::Done,
                    Some(ms) => ClaimState::Leased {
                        until: i64::try_from(ms)
                            .ok()
                            .and_then(DateTime::from_timestamp_millis)
                            .unwrap_or(now),
                    },
                })
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn confirm_work(&self, message_id: &str, kept_until: DateTime<Utc>) -> StoreResult<()> {
        let mut it = item(processed_pk(message_id), META);
        it.insert(TTL.into(), n(kept_until.timestamp()));
        self.put_item(it).await
    }

    async fn release_message(&self, message_id: &str) -> StoreResult<()> {
        self.delete_item(processed_pk(message_id), META).await
    }
}
