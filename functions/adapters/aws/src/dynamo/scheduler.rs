//! `SchedulerStore` on DynamoDB: the sharded sparse due index, the reminder ledger and leases.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use fallwerk_core::ports::{DueEntry, LedgerEntry, SchedulerStore, StoreResult};

use super::{DynamoStore, written};
use crate::codec::{Item, from_attr, get_s, item, key, n, s};
use crate::keys::*;

/// The most due entries one call returns.
const MAX_DUE: u32 = 1000;

impl DynamoStore {
    /// Items of the `due` index partitions `{prefix}0..SHARDS` with a sort key at or before `until`,
    /// merged ascending by sort key, at most `limit`.
    pub(super) async fn due_index(
        &self,
        shard_pk: fn(u32) -> String,
        until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Item>> {
        let upper = ts_upper_bound(until);
        let mut all: Vec<(String, Item)> = Vec::new();
        for shard in 0..SHARDS {
            let pk = shard_pk(shard);
            let items = self
                .query_items(limit, || {
                    self.query()
                        .index_name(DUE_INDEX)
                        .key_condition_expression("#gpk = :gpk AND #gsk < :upper")
                        .expression_attribute_names("#gpk", GSI2_PK)
                        .expression_attribute_names("#gsk", GSI2_SK)
                        .expression_attribute_values(":gpk", s(pk.clone()))
                        .expression_attribute_values(":upper", s(upper.clone()))
                        .limit(i32::try_from(limit).unwrap_or(i32::MAX))
                })
                .await?;
            all.extend(
                items
                    .into_iter()
                    .map(|it| (get_s(&it, GSI2_SK).unwrap_or_default().to_string(), it)),
            );
        }
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.truncate(limit);
        Ok(all.into_iter().map(|(_, it)| it).collect())
    }
}

#[async_trait]
impl SchedulerStore for DynamoStore {
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueEntry>> {
        let limit = limit.clamp(1, MAX_DUE) as usize;
        self.due_index(due_shard_pk, now, limit)
            .await?
            .iter()
            .map(|it| from_attr(it, DUE, "due entry"))
            .collect()
    }

    async fn ledger_put(&self, entry: &LedgerEntry) -> StoreResult<bool> {
        self.put_once(ledger_item(entry)).await
    }

    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl_seconds: u32,
    ) -> StoreResult<bool> {
        let expires = now + Duration::seconds(i64::from(ttl_seconds));
        let mut it = item(lease_pk(name), META);
        it.insert(HOLDER.into(), s(holder));
        it.insert(EXPIRES_AT_MS.into(), n(expires.timestamp_millis()));
        // Let DynamoDB drop long-expired leases.
        it.insert(TTL.into(), n((expires + Duration::days(1)).timestamp()));
        self.put_if(
            it,
            "attribute_not_exists(pk) OR #exp < :now OR #holder = :me",
            |put| {
                put.expression_attribute_names("#exp", EXPIRES_AT_MS)
                    .expression_attribute_names("#holder", HOLDER)
                    .expression_attribute_values(":now", n(now.timestamp_millis()))
                    .expression_attribute_values(":me", s(holder))
            },
        )
        .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(lease_pk(name), META)))
            .condition_expression("#holder = :me")
            .expression_attribute_names("#holder", HOLDER)
            .expression_attribute_values(":me", s(holder))
            .send()
            .await;
        // Not holding the lease (any more) is fine: there is nothing to give up.
        written(result)?;
        Ok(())
    }
}

/// The item of a reminder's ledger entry; also written inside a case change's transaction
/// (`CaseChange::ledger`).
pub(super) fn ledger_item(entry: &LedgerEntry) -> Item {
    let mut it = item(ledger_pk(&entry.deadline_id, entry.level.as_str()), META);
    it.insert(WRITTEN_AT.into(), s(ts(entry.written_at)));
    it.insert(TTL.into(), n(entry.expires_at.timestamp()));
    it
}
