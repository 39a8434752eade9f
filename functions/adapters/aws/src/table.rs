//! Creates the fallwerk table from [`crate::keys::table_definition`] (tests, local setups; in AWS
//! the IaC template creates it) and waits until it and its indexes are ACTIVE.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use fallwerk_core::ports::{StoreError, StoreResult};

use crate::error::backend;
use crate::keys::{KeyDef, table_definition};

/// How long to wait for ACTIVE (DynamoDB Local: ~100 ms; AWS: seconds).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

fn key_schema(keys: &[KeyDef]) -> StoreResult<Vec<KeySchemaElement>> {
    keys.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k.attribute_name)
                .key_type(KeyType::from(k.key_type))
                .build()
                .map_err(backend)
        })
        .collect()
}

/// Creates the table (on-demand, both GSIs with ALL projection), waits for ACTIVE, enables TTL.
pub async fn create_table(client: &Client, table_name: &str) -> StoreResult<()> {
    let def = table_definition();
    let attributes = def
        .attribute_definitions
        .iter()
        .map(|(name, ty)| {
            AttributeDefinition::builder()
                .attribute_name(*name)
                .attribute_type(ScalarAttributeType::from(*ty))
                .build()
                .map_err(backend)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let indexes = def
        .global_secondary_indexes
        .iter()
        .map(|gsi| {
            GlobalSecondaryIndex::builder()
                .index_name(gsi.index_name)
                .set_key_schema(Some(key_schema(&gsi.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(gsi.projection_type))
                        .build(),
                )
                .build()
                .map_err(backend)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::from(def.billing_mode))
        .set_key_schema(Some(key_schema(&def.key_schema)?))
        .set_attribute_definitions(Some(attributes))
        .set_global_secondary_indexes(Some(indexes))
        .send()
        .await
        .map_err(backend)?;
    wait_active(client, table_name).await?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(def.ttl_attribute)
                .build()
                .map_err(backend)?,
        )
        .send()
        .await
        .map_err(backend)?;
    Ok(())
}

/// Polls until the table and all its indexes are ACTIVE.
pub async fn wait_active(client: &Client, table_name: &str) -> StoreResult<()> {
    let started = std::time::Instant::now();
    let mut delay = Duration::from_millis(50);
    loop {
        let resp = client
            .describe_table()
            .table_name(table_name)
            .send()
            .await
            .map_err(backend)?;
        if let Some(table) = resp.table() {
            let indexes_active = table
                .global_secondary_indexes()
                .iter()
                .all(|i| i.index_status() == Some(&IndexStatus::Active));
            if table.table_status() == Some(&TableStatus::Active) && indexes_active {
                return Ok(());
            }
        }
        if started.elapsed() > ACTIVE_TIMEOUT {
            return Err(StoreError::Backend(format!(
                "table {table_name} did not become ACTIVE in time"
            )));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}
