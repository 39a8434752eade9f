//! `CaseStore` on DynamoDB: transactional create and save, loads, history, postbox, counter.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, ReturnValue, TransactWriteItem};
use chrono::Utc;
use fallwerk_core::model::{Case, Message};
use fallwerk_core::ports::{
    CaseChange, CaseStore, CreateOutcome, NewCase, Page, StoreError, StoreResult,
};
use fallwerk_events::DomainEvent;

use super::records::{
    Tx, case_item, deadline_items, event_item, idempotency_item, message_item, outbox_item,
};
use super::{DynamoStore, deadline_digest};
use crate::codec::{Item, from_attr, get_n, get_s, key, n, s};
use crate::error::{backend, bad_record};
use crate::keys::*;

const NOT_EXISTS: &str = "attribute_not_exists(pk)";
/// Largest page of history a caller gets at once.
const MAX_HISTORY_PAGE: u32 = 1000;
/// How often a transaction is retried after colliding with a concurrent one.
const TX_CONFLICT_RETRIES: u32 = 8;

/// How a cancelled transaction failed, per entry (index = position in the transaction).
pub(super) enum TxOutcome {
    Done,
    Cancelled(Vec<CancellationReason>),
}

impl DynamoStore {
    /// Runs the transaction; retries (with backoff) while it collides with another transaction in
    /// flight on the same items, so a loser sees the winner's committed state in its reasons.
    pub(super) async fn transact(&self, tx: Tx) -> StoreResult<TxOutcome> {
        let mut attempt = 0;
        loop {
            let outcome = self.transact_once(tx.items.clone()).await?;
            match &outcome {
                TxOutcome::Cancelled(reasons)
                    if attempt < TX_CONFLICT_RETRIES
                        && reasons
                            .iter()
                            .any(|r| r.code() == Some("TransactionConflict")) =>
                {
                    attempt += 1;
                    let jitter = u64::from(Utc::now().timestamp_subsec_micros() % 20);
                    tokio::time::sleep(std::time::Duration::from_millis(
                        10 * (1 << attempt.min(5)) + jitter,
                    ))
                    .await;
                }
                _ => return Ok(outcome),
            }
        }
    }

    async fn transact_once(&self, items: Vec<TransactWriteItem>) -> StoreResult<TxOutcome> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(TxOutcome::Done),
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                TransactWriteItemsError::TransactionCanceledException(e) => Ok(
                    TxOutcome::Cancelled(e.cancellation_reasons.unwrap_or_default()),
                ),
                other => Err(backend(other)),
            },
            Err(other) => Err(backend(other)),
        }
    }

    /// The deadline items stored for a case, as written (strongly consistent): the save writes
    /// only the deadlines that differ from these and drops those the case no longer has. Reading
    /// them costs a fraction of rewriting them (a read unit is a fifth of a write unit's price
    /// and covers 4 KB, a transactional write of 1 KB costs two write units plus the due index).
    async fn stored_deadlines(&self, case_id: &str) -> StoreResult<Vec<Item>> {
        let pk = case_pk(case_id);
        self.query_items(usize::MAX, || self.prefix_query(&pk, DEADLINE_PREFIX))
            .await
    }

    /// Items of a case partition whose sort key starts with `prefix`, or lies within `between`.
    async fn case_children(
        &self,
        case_id: &str,
        range: SkRange,
        want: usize,
    ) -> StoreResult<Vec<Item>> {
        let pk = case_pk(case_id);
        self.query_items(want, || {
            let q = self
                .query()
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", s(pk.clone()))
                .consistent_read(true)
                .limit(i32::try_from(want).unwrap_or(i32::MAX).clamp(1, 1000));
            match &range {
                SkRange::Between(from, to) => q
                    .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                    .expression_attribute_values(":from", s(from.clone()))
                    .expression_attribute_values(":to", s(to.clone())),
                SkRange::Prefix(prefix) => q
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_values(":prefix", s(*prefix)),
            }
        })
        .await
    }
}

enum SkRange {
    Prefix(&'static str),
    Between(String, String),
}

fn failed(reasons: &[CancellationReason], index: usize) -> Option<&CancellationReason> {
    reasons
        .get(index)
        .filter(|r| r.code() == Some("ConditionalCheckFailed"))
}

fn cancel_summary(reasons: &[CancellationReason]) -> String {
    reasons
        .iter()
        .map(|r| format!("{}: {}", r.code().unwrap_or("?"), r.message().unwrap_or("")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[async_trait]
impl CaseStore for DynamoStore {
    async fn create_case(&self, new: NewCase) -> StoreResult<CreateOutcome> {
        let case = &new.case;
        let written_at = Utc::now();
        let mut tx = Tx::new(&self.table);
        // Index 0: the idempotency record, index 1: the case. Cancellation reasons follow this order.
        tx.put(
            idempotency_item(&new.idempotency, &case.id, case.submission.received_at),
            Some((NOT_EXISTS, vec![])),
        )?;
        let deadlines = deadline_items(case)?;
        tx.put(
            case_item(case, &deadline_digest::digests(&deadlines))?,
            Some((NOT_EXISTS, vec![])),
        )?;
        for event in &new.events {
            tx.put(event_item(event)?, Some((NOT_EXISTS, vec![])))?;
        }
        for message in &new.messages {
            tx.put(message_item(message)?, None)?;
        }
        for entry in super::inbox_index::inbox_items(case)? {
            tx.put(entry, None)?;
        }
        for deadline in deadlines {
            tx.put(deadline, None)?;
        }
        for message in &new.outbox {
            tx.put(outbox_item(message, written_at)?, None)?;
        }
        tx.check_limit(&format!("new case {}", case.id))?;

        let reasons = match self.transact(tx).await? {
            TxOutcome::Done => return Ok(CreateOutcome::Created),
            TxOutcome::Cancelled(reasons) => reasons,
        };
        if let Some(reason) = failed(&reasons, 0) {
            let record = match reason.item() {
                Some(old) if !old.is_empty() => Some(old.clone()),
                _ => {
                    let k = &new.idempotency;
                    self.get_item(submission_pk(&k.portal_client_id, &k.submission_id), META)
                        .await?
                }
            };
            let record =
                record.ok_or_else(|| StoreError::Backend("idempotency record vanished".into()))?;
            let case_id = get_s(&record, CASE_ID)
                .ok_or_else(|| bad_record("idempotency record", "no case_id"))?;
            let body_sha256 = get_s(&record, BODY_SHA256)
                .ok_or_else(|| bad_record("idempotency record", "no body_sha256"))?;
            return Ok(CreateOutcome::Duplicate {
                case_id: case_id.to_string(),
                body_sha256: body_sha256.to_string(),
            });
        }
        if let Some(reason) = failed(&reasons, 1) {
            return Err(StoreError::VersionConflict {
                case_id: case.id.clone(),
                expected: 0,
                found: reason.item().and_then(|old| get_n(old, VERSION)),
            });
        }
        Err(StoreError::Backend(format!(
            "creating case {} was cancelled: {}",
            case.id,
            cancel_summary(&reasons)
        )))
    }

    async fn load_case(&self, case_id: &str) -> StoreResult<Option<Case>> {
        match self.get_item(case_pk(case_id), META).await? {
            Some(it) => {
                let case: Case = from_attr(&it, DATA, "case")?;
                if let Some(digests) = deadline_digest::from_case_item(&it) {
                    self.remembered.remember(&case.id, case.version, digests);
                }
                Ok(Some(case))
            }
            None => Ok(None),
        }
    }

    async fn save_case(&self, change: CaseChange) -> StoreResult<()> {
        let case = &change.case;
        let conflict = |found| StoreError::VersionConflict {
            case_id: case.id.clone(),
            expected: change.expected_version,
            found,
        };
        let deadlines = deadline_items(case)?;
        let written = deadline_digest::digests(&deadlines);
        // What is stored beside the expected version: remembered from its load, else queried
        // (strongly consistent). Unchanged deadline items are not written again. Safe against a
        // concurrent writer: one that commits after the load or the query bumps the case
        // version, so this transaction's version guard fails and nothing is written.
        let stored = match self.remembered.take(&case.id, change.expected_version) {
            Some(digests) => digests,
            None => deadline_digest::digests(&self.stored_deadlines(&case.id).await?),
        };
        let (changed, stale) = deadline_digest::compare(deadlines, &written, &stored);

        let written_at = Utc::now();
        let mut tx = Tx::new(&self.table);
        // Index 0: the case, guarded by its version.
        tx.put(
            case_item(case, &written)?,
            Some((
                "version = :expected",
                vec![(":expected", n(change.expected_version))],
            )),
        )?;
        for event in &change.events {
            tx.put(event_item(event)?, Some((NOT_EXISTS, vec![])))?;
        }
        for message in &change.messages {
            tx.put(message_item(message)?, None)?;
        }
        for entry in super::inbox_index::inbox_items(case)? {
            tx.put(entry, None)?;
        }
        for deadline in changed {
            tx.put(deadline, None)?;
        }
        for sk in &stale {
            tx.delete(key(case_pk(&case.id), sk))?;
        }
        for message in &change.outbox {
            tx.put(outbox_item(message, written_at)?, None)?;
        }
        // The reminder's ledger entry rides along: one request per reminder instead of two (a
        // transactional write costs one write unit more than a plain put, a request fewer).
        for entry in &change.ledger {
            tx.put(super::scheduler::ledger_item(entry), None)?;
        }
        tx.check_limit(&format!("change of case {}", case.id))?;

        let reasons = match self.transact(tx).await? {
            TxOutcome::Done => return Ok(()),
            TxOutcome::Cancelled(reasons) => reasons,
        };
        if let Some(reason) = failed(&reasons, 0) {
            return Err(conflict(reason.item().and_then(|old| get_n(old, VERSION))));
        }
        // An event that already exists or a concurrent transaction on the same items: another writer won.
        if reasons.iter().any(|r| {
            matches!(
                r.code(),
                Some("ConditionalCheckFailed" | "TransactionConflict")
            )
        }) {
            return Err(conflict(None));
        }
        Err(StoreError::Backend(format!(
            "saving case {} was cancelled: {}",
            case.id,
            cancel_summary(&reasons)
        )))
    }

    async fn search_inbox(
        &self,
        query: &fallwerk_core::inbox::InboxSearch,
    ) -> StoreResult<Page<fallwerk_core::inbox::InboxItem>> {
        self.search_inbox_index(query).await
    }

    async fn inbox_counts(
        &self,
        org_units: &[String],
    ) -> StoreResult<fallwerk_core::inbox::InboxCounts> {
        self.inbox_index_counts(org_units).await
    }

    async fn history(
        &self,
        case_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<Page<DomainEvent>> {
        let limit = limit.clamp(1, MAX_HISTORY_PAGE) as usize;
        let Some(first) = after_seq.checked_add(1) else {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        let range = SkRange::Between(event_sk(first), event_sk(u64::MAX));
        let items = self.case_children(case_id, range, limit + 1).await?;
        let mut events = items
            .iter()
            .map(|it| from_attr::<DomainEvent>(it, DATA, "event"))
            .collect::<StoreResult<Vec<_>>>()?;
        let next_cursor = if events.len() > limit {
            events.truncate(limit);
            events.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok(Page {
            items: events,
            next_cursor,
        })
    }

    async fn messages(&self, case_id: &str) -> StoreResult<Vec<Message>> {
        self.case_children(case_id, SkRange::Prefix(MESSAGE_PREFIX), usize::MAX)
            .await?
            .iter()
            .map(|it| super::thread::with_read_mark(it, from_attr(it, DATA, "message")?))
            .collect()
    }

    async fn mark_message_read(
        &self,
        case_id: &str,
        message_id: &str,
        mark: &fallwerk_core::model::ReadMark,
    ) -> StoreResult<bool> {
        self.mark_read(case_id, message_id, mark).await
    }

    async fn redact_messages(&self, case_id: &str) -> StoreResult<()> {
        self.redact(case_id).await
    }

    async fn next_reference_number(&self, year: i32) -> StoreResult<u64> {
        let resp = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(counter_pk(year), META)))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", COUNTER_VALUE)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(backend)?;
        resp.attributes
            .as_ref()
            .and_then(|a| get_n(a, COUNTER_VALUE))
            .ok_or_else(|| bad_record("reference counter", "no value returned"))
    }
}
