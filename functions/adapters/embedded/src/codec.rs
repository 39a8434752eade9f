//! Conversions between domain values and SQLite columns: times as integer microseconds,
//! records as JSON, errors as `StoreError`.

use chrono::{DateTime, Utc};
use fallwerk_core::ports::{StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Microseconds since the Unix epoch; numeric order is time order.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(us: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Backend(format!("timestamp out of range: {us}")))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot serialise record: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Backend(format!("stored record is unreadable: {e}")))
}

/// Serialises a record and enforces [`fallwerk_core::ports::MAX_RECORD_BYTES`].
pub(crate) fn record_json<T: Serialize>(
    value: &T,
    what: impl FnOnce() -> String,
) -> StoreResult<String> {
    let text = to_json(value)?;
    if text.len() > fallwerk_core::ports::MAX_RECORD_BYTES {
        return Err(StoreError::TooLarge(what()));
    }
    Ok(text)
}

pub(crate) fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite: {e}"))
}

/// Runs the (cached) statement `sql` and collects every row as `map` reads it.
pub(crate) fn query_all<T, P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let rows = stmt.query_map(params, map).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Clamps a caller's limit into SQLite's integer type.
pub(crate) fn limit(n: u32) -> i64 {
    i64::from(n)
}
