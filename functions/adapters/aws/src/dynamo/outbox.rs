//! `OutboxStore` on DynamoDB: pending entries listed through the `due` index (`OUTBOX#{shard}`),
//! and processed-markers for idempotent queue consumers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::ports::{OutboxEntry, OutboxStore, StoreResult};

use super::DynamoStore;
use crate::codec::{from_attr, get_s, item, key, n};
use crate::error::{backend, bad_record};
use crate::keys::*;

const MAX_PENDING: u32 = 1000;

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
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(message_id), META)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
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

    async fn release_message(&self, message_id: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(processed_pk(message_id), META)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}
