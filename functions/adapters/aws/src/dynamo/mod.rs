//! `DynamoStore`: every store port of fallwerk on one DynamoDB table (layout in [`crate::keys`]).

mod case;
mod directory;
mod inbox_backfill;
mod inbox_index;
mod outbox;
mod records;
mod scheduler;
mod thread;
mod users;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use fallwerk_core::ports::StoreResult;

pub use inbox_backfill::BackfillReport;

use crate::codec::Item;
use crate::error::backend;

/// The DynamoDB adapter. Cheap to clone (the SDK client is reference-counted).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table_name.into(),
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
}
