//! `DynamoStore`: every store port of fallwerk on one DynamoDB table (layout in [`crate::keys`]).

mod case;
mod deadline_digest;
mod directory;
mod inbox_backfill;
mod inbox_index;
mod outbox;
mod records;
mod scheduler;
mod thread;
mod users;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use fallwerk_core::ports::StoreResult;

pub use inbox_backfill::BackfillReport;

use crate::codec::{Item, key, s};
use crate::error::backend;
use crate::keys::{GSI1_PK, INBOX_INDEX, PK, SK};

/// Form data larger than this stays out of the case item (in S3): every case change rewrites the
/// whole item inside a transaction at twice the write units per KB, so a 20 KB form inline cost
/// about 40 write units per change (docs/COSTS.md). Up to 4 KiB a form stays inline, so a short
/// form costs no extra S3 read on the case page; a typical form (several KB of fields and
/// labels) moves out.
pub const INLINE_FORM_LIMIT: usize = 4 * 1024;

/// The DynamoDB adapter. Cheap to clone (the SDK client is reference-counted).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// The deadline digests of the case versions loaded, for their save (`deadline_digest`).
    remembered: std::sync::Arc<deadline_digest::Remembered>,
}

impl DynamoStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table_name.into(),
            remembered: Default::default(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Runs a query page by page (following `LastEvaluatedKey`) until `want` items are collected or
    /// the key space is exhausted. `make` builds the query anew for each page.
    pub(crate) async fn query_items<F>(&self, want: usize, make: F) -> StoreResult<Vec<Item>>
    where
        F: Fn() -> QueryFluentBuilder,
    {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let resp = make()
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(backend)?;
            out.extend(resp.items.unwrap_or_default());
            if out.len() >= want {
                out.truncate(want);
                break;
            }
            match resp.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(out)
    }

    pub(crate) fn query(&self) -> QueryFluentBuilder {
        self.client.query().table_name(&self.table)
    }

    /// A query of the `inbox` index partition `gpk` (eventually consistent).
    pub(crate) fn inbox_index_query(&self, gpk: impl Into<String>) -> QueryFluentBuilder {
        self.query()
            .index_name(INBOX_INDEX)
            .key_condition_expression("#gpk = :gpk")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_values(":gpk", s(gpk))
    }

    /// A strongly consistent query of the items of partition `pk` whose sort key starts with
    /// `prefix`.
    pub(crate) fn prefix_query(&self, pk: &str, prefix: &str) -> QueryFluentBuilder {
        self.query()
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true)
    }

    /// The item with this primary key, read strongly consistent.
    pub(crate) async fn get_item(&self, pk: String, sk: &str) -> StoreResult<Option<Item>> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(resp.item)
    }

    /// Puts (replaces) an item unconditionally.
    pub(crate) async fn put_item(&self, it: Item) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Deletes the item with this primary key unconditionally.
    pub(crate) async fn delete_item(&self, pk: String, sk: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Puts `it` where `condition` holds (`with` adds the condition's names and values);
    /// `false` if the condition refused it.
    pub(crate) async fn put_if(
        &self,
        it: Item,
        condition: &str,
        with: impl FnOnce(PutItemFluentBuilder) -> PutItemFluentBuilder,
    ) -> StoreResult<bool> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(it))
            .condition_expression(condition);
        written(with(put).send().await)
    }

    /// Conditional put of a marker item; `false` if it already exists.
    pub(crate) async fn put_once(&self, it: Item) -> StoreResult<bool> {
        self.put_if(it, "attribute_not_exists(pk)", |put| put).await
    }
}

/// The error of a conditional write that can say whether its condition refused it.
pub(crate) trait ConditionRefused {
    fn condition_refused(&self) -> bool;
}

impl ConditionRefused for PutItemError {
    fn condition_refused(&self) -> bool {
        matches!(self, PutItemError::ConditionalCheckFailedException(_))
    }
}

impl ConditionRefused for UpdateItemError {
    fn condition_refused(&self) -> bool {
        matches!(self, UpdateItemError::ConditionalCheckFailedException(_))
    }
}

impl ConditionRefused for DeleteItemError {
    fn condition_refused(&self) -> bool {
        matches!(self, DeleteItemError::ConditionalCheckFailedException(_))
    }
}

/// The outcome of a conditional write: `true` if it was written, `false` if its condition
/// refused it; any other failure as [`backend`].
pub(crate) fn written<O, E, R>(result: Result<O, SdkError<E, R>>) -> StoreResult<bool>
where
    E: ConditionRefused + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(SdkError::ServiceError(ctx)) if ctx.err().condition_refused() => Ok(false),
        Err(e) => Err(backend(e)),
    }
}
