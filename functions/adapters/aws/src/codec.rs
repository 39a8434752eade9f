//! Attribute-value helpers: JSON payloads with the record size limit, reading typed attributes.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use fallwerk_core::ports::{MAX_RECORD_BYTES, StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::bad_record;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Serialises a record, refusing anything above [`MAX_RECORD_BYTES`] before it reaches DynamoDB.
pub fn to_json<T: Serialize>(what: &str, value: &T) -> StoreResult<String> {
    let json = serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot serialise {what}: {e}")))?;
    if json.len() > MAX_RECORD_BYTES {
        return Err(StoreError::TooLarge(what.to_string()));
    }
    Ok(json)
}

/// A fresh item with its primary key.
pub fn item(pk: String, sk: &str) -> Item {
    let mut it = Item::new();
    it.insert(crate::keys::PK.into(), s(pk));
    it.insert(crate::keys::SK.into(), s(sk));
    it
}

/// The primary key of an item (for Get/Delete/Update).
pub fn key(pk: String, sk: &str) -> Item {
    item(pk, sk)
}

pub fn get_s<'a>(item: &'a Item, attr: &str) -> Option<&'a str> {
    item.get(attr)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub fn get_n(item: &Item, attr: &str) -> Option<u64> {
    item.get(attr)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

/// Decodes the JSON string attribute `attr` of a stored item.
pub fn from_attr<T: DeserializeOwned>(item: &Item, attr: &str, what: &str) -> StoreResult<T> {
    let raw =
        get_s(item, attr).ok_or_else(|| bad_record(what, format!("attribute `{attr}` missing")))?;
    serde_json::from_str(raw).map_err(|e| bad_record(what, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_records_are_refused() {
        let big = "x".repeat(MAX_RECORD_BYTES + 1);
        assert!(matches!(to_json("case c1", &big), Err(StoreError::TooLarge(w)) if w == "case c1"));
        assert!(to_json("small", &"x").is_ok());
    }
}
