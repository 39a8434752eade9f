//! The items a case write consists of (case, events, messages, deadlines, outbox, idempotency)
//! and the transaction entries that put them.

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use chrono::{DateTime, Duration, Utc};
use fallwerk_core::model::{Case, Message};
use fallwerk_core::ports::{DueEntry, IdempotencyKey, StoreError, StoreResult};
use fallwerk_events::{DomainEvent, QueueMessage};

use super::deadline_digest::{DEADLINE_DIGESTS, Digests};
use crate::codec::{Item, item, n, s, to_json};
use crate::error::backend;
use crate::keys::*;

/// The case record (`CASE#{id}` / `META`) with the digests of the deadline items written beside
/// it (`deadline_digest`). It carries no index keys: the inbox lists the case's inbox entries
/// (`dynamo::inbox_index`), never the record itself.
pub fn case_item(case: &Case, deadlines: &Digests) -> StoreResult<Item> {
    let what = format!("case {}", case.id);
    let mut it = item(case_pk(&case.id), META);
    it.insert(DATA.into(), s(to_json(&what, case)?));
    it.insert(VERSION.into(), n(case.version));
    it.insert(
        DEADLINE_DIGESTS.into(),
        super::deadline_digest::to_attr(deadlines),
    );
    Ok(it)
}

pub fn event_item(event: &DomainEvent) -> StoreResult<Item> {
    let what = format!("event {} of case {}", event.seq, event.case_id);
    let mut it = item(case_pk(&event.case_id), &event_sk(event.seq));
    it.insert(DATA.into(), s(to_json(&what, event)?));
    Ok(it)
}

pub fn message_item(message: &Message) -> StoreResult<Item> {
    let what = format!("message {}", message.id);
    let mut it = item(
        case_pk(&message.case_id),
        &message_sk(message.at, &message.id),
    );
    it.insert(DATA.into(), s(to_json(&what, message)?));
    Ok(it)
}

/// Every deadline of the case; only those with a `next_fire_at` carry the (sparse) due index keys.
pub fn deadline_items(case: &Case) -> StoreResult<Vec<Item>> {
    let due = fallwerk_core::ports::due_entries(case);
    case.deadlines
        .iter()
        .map(|d| {
            let what = format!("deadline {} of case {}", d.id, case.id);
            let mut it = item(case_pk(&case.id), &deadline_sk(d.kind.as_str(), &d.id));
            it.insert(DATA.into(), s(to_json(&what, d)?));
            if let Some(entry) = due.iter().find(|e| e.deadline_id == d.id) {
                it.insert(GSI2_PK.into(), s(due_pk(&case.id)));
                it.insert(GSI2_SK.into(), s(due_sk(entry.fire_at, &case.id, &d.id)));
                it.insert(DUE.into(), s(to_json::<DueEntry>(&what, entry)?));
            }
            Ok(it)
        })
        .collect()
}

/// A pending outbox entry, listed through the due index (`OUTBOX#{shard}`).
pub fn outbox_item(message: &QueueMessage, created_at: DateTime<Utc>) -> StoreResult<Item> {
    let id = message.message_id();
    let what = format!("outbox message {id}");
    let mut it = item(outbox_pk(id), META);
    it.insert(DATA.into(), s(to_json(&what, message)?));
    it.insert(CREATED_AT.into(), s(ts(created_at)));
    it.insert(GSI2_PK.into(), s(outbox_due_pk(id)));
    it.insert(GSI2_SK.into(), s(outbox_due_sk(created_at, id)));
    Ok(it)
}

pub fn idempotency_item(key: &IdempotencyKey, case_id: &str, received_at: DateTime<Utc>) -> Item {
    let mut it = item(
        submission_pk(&key.portal_client_id, &key.submission_id),
        META,
    );
    it.insert(CASE_ID.into(), s(case_id));
    it.insert(BODY_SHA256.into(), s(key.body_sha256.clone()));
    it.insert(
        TTL.into(),
        n((received_at + Duration::days(IDEMPOTENCY_TTL_DAYS)).timestamp()),
    );
    it
}

/// Builds the transaction entries for one atomic write.
pub struct Tx {
    table: String,
    pub items: Vec<TransactWriteItem>,
}

impl Tx {
    pub fn new(table: &str) -> Self {
        Tx {
            table: table.to_string(),
            items: Vec::new(),
        }
    }

    /// Adds a Put; `condition` with its values, and ALL_OLD on condition failure.
    pub fn put(
        &mut self,
        it: Item,
        condition: Option<(&str, Vec<(&str, AttributeValue)>)>,
    ) -> StoreResult<()> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(it));
        if let Some((expr, values)) = condition {
            put = put
                .condition_expression(expr)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            for (name, value) in values {
                put = put.expression_attribute_values(name, value);
            }
        }
        let put = put.build().map_err(backend)?;
        self.items
            .push(TransactWriteItem::builder().put(put).build());
        Ok(())
    }

    pub fn delete(&mut self, key: Item) -> StoreResult<()> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map_err(backend)?;
        self.items
            .push(TransactWriteItem::builder().delete(delete).build());
        Ok(())
    }

    /// Refuses transactions DynamoDB would reject instead of silently splitting them.
    pub fn check_limit(&self, what: &str) -> StoreResult<()> {
        if self.items.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::TooLarge(format!(
                "{what} ({} items in one transaction, at most {MAX_TRANSACTION_ITEMS})",
                self.items.len()
            )));
        }
        Ok(())
    }
}
