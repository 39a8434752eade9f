//! Bulk writes of inbox entries (`dynamo::inbox_index`): the backfill for cases stored before
//! the entries existed, and a batch loader for benchmarks and migrations.
//!
//! Backfill: a paged Scan over the case records (`CASE#…` / `META`) and, per case, a conditional
//! Put of each inbox entry that only writes where none exists (`attribute_not_exists(pk)`). A case
//! saved concurrently writes its own entries in its transaction; the condition never lets the
//! backfill overwrite them with an older state, so the backfill is safe to run beside live
//! traffic and any number of times. Cost: one Scan of the whole table (read capacity of its
//! size, once) plus one conditional write per missing entry and one refused write per present
//! entry.

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use fallwerk_core::model::Case;
use fallwerk_core::ports::{StoreError, StoreResult};
use tokio::task::JoinSet;

use super::DynamoStore;
use super::inbox_index::inbox_items;
use crate::codec::{Item, from_attr};
use crate::error::backend;
use crate::keys::*;

/// What a backfill did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Case records read.
    pub cases: u64,
    /// Cases that got at least one missing inbox entry now.
    pub backfilled: u64,
    /// Cases whose entries were all present already.
    pub present: u64,
}

/// Conditional puts in flight at once.
const PARALLEL_PUTS: usize = 16;

impl DynamoStore {
    /// Writes the missing inbox entries of every stored case; idempotent (see the module docs).
    pub async fn backfill_inbox(&self) -> StoreResult<BackfillReport> {
        let mut report = BackfillReport::default();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("#sk = :meta AND begins_with(#pk, :case)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_names("#data", DATA)
                .expression_attribute_values(":meta", AttributeValue::S(META.into()))
                .expression_attribute_values(":case", AttributeValue::S(case_pk("")))
                .projection_expression("#pk, #sk, #data")
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(backend)?;
            let cases = page
                .items
                .unwrap_or_default()
                .iter()
                .map(|it| from_attr::<Case>(it, DATA, "case"))
                .collect::<StoreResult<Vec<Case>>>()?;
            for chunk in cases.chunks(PARALLEL_PUTS) {
                let mut puts = JoinSet::new();
                for case in chunk {
                    let (store, entries) = (self.clone(), inbox_items(case)?);
                    puts.spawn(async move { store.put_missing(entries).await });
                }
                while let Some(done) = puts.join_next().await {
                    let written = done.map_err(|e| StoreError::Backend(e.to_string()))??;
                    report.cases += 1;
                    if written {
                        report.backfilled += 1;
                    } else {
                        report.present += 1;
                    }
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(report)
    }

    /// Puts each entry where none exists; `true` when at least one was written.
    async fn put_missing(&self, entries: Vec<Item>) -> StoreResult<bool> {
        let mut written = false;
        for entry in entries {
            if self.put_once(entry).await? {
                written = true;
            }
        }
        Ok(written)
    }

    /// Writes the inbox entries of `cases` unconditionally with BatchWriteItem (25 items per
    /// request, unprocessed items retried). Only for loading data that no one else writes at the
    /// same time (benchmarks, a fresh table): it would overwrite newer entries.
    pub async fn batch_put_inbox_entries(&self, cases: &[Case]) -> StoreResult<()> {
        let mut items = Vec::with_capacity(cases.len() * 2);
        for case in cases {
            items.extend(inbox_items(case)?);
        }
        for chunk in items.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|it| {
                    let put = PutRequest::builder()
                        .set_item(Some(it.clone()))
                        .build()
                        .map_err(backend)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<StoreResult<_>>()?;
            for attempt in 0.. {
                if attempt >= 20 {
                    return Err(StoreError::Backend(
                        "BatchWriteItem keeps leaving items unprocessed".into(),
                    ));
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(backend)?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                // Back off a little before retrying what the table throttled.
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt.min(5))).await;
            }
        }
        Ok(())
    }
}
