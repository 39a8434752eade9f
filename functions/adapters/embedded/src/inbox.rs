//! The caseworker inbox: keyset paging over `cases (org_unit_id, updated_at, id)`, org units
//! in the caller's order, with an opaque cursor (base64url of JSON).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fallwerk_core::ports::{CaseSummary, InboxQuery, Page, StoreError, StoreResult};
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::codec::{db, from_json};

/// Where the previous page ended: org unit (index and id), `updated_at` micros, case id.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Cursor {
    o: usize,
    u: String,
    t: i64,
    i: String,
}

impl Cursor {
    fn encode(&self) -> StoreResult<String> {
        Ok(URL_SAFE_NO_PAD.encode(crate::codec::to_json(self)?))
    }

    fn decode(text: &str, org_units: &[&str]) -> StoreResult<Cursor> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| StoreError::InvalidCursor)?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
        if org_units.get(c.o) != Some(&c.u.as_str()) {
            return Err(StoreError::InvalidCursor);
        }
        Ok(c)
    }
}

pub(crate) fn list(conn: &Connection, q: &InboxQuery) -> StoreResult<Page<CaseSummary>> {
    let limit = q.limit.clamp(1, 100) as usize;
    let mut org_units: Vec<&str> = Vec::new();
    for ou in &q.org_units {
        if !org_units.contains(&ou.as_str()) {
            org_units.push(ou);
        }
    }
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &org_units))
        .transpose()?;
    let start = cursor.as_ref().map_or(0, |c| c.o);

    // Filters shared by every org unit's query; ?1 = org unit, ?2/?3 = keyset, ?4 = limit.
    let mut filter = String::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |sql: &str, v: Value| {
        args.push(v);
        filter.push_str(&format!(" AND {sql} = ?{}", args.len() + 4));
    };
    if let Some(s) = q.status {
        push("status", Value::Text(s.as_str().into()));
    }
    if let Some(t) = q.task {
        push("open_task", Value::Text(t.as_str().into()));
    }
    if let Some(a) = &q.assignee {
        push("assignee", Value::Text(a.clone()));
    }
    if let Some(o) = q.overdue {
        push("overdue", Value::Integer(i64::from(o)));
    }
    let sql = format!(
        "SELECT summary, updated_at, id FROM cases
         WHERE org_unit_id = ?1 AND (updated_at, id) > (?2, ?3){filter}
         ORDER BY updated_at, id LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;

    let mut hits: Vec<(usize, String, i64, String)> = Vec::new();
    for (idx, ou) in org_units.iter().enumerate().skip(start) {
        let (after_t, after_id) = match &cursor {
            Some(c) if c.o == idx => (c.t, c.i.clone()),
            _ => (i64::MIN, String::new()),
        };
        let want = (limit + 1 - hits.len()) as i64;
        let mut params: Vec<Value> = vec![
            Value::Text((*ou).to_string()),
            Value::Integer(after_t),
            Value::Text(after_id),
            Value::Integer(want),
        ];
        params.extend(args.iter().cloned());
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(db)?;
        for row in rows {
            let (summary, t, id): (String, i64, String) = row.map_err(db)?;
            hits.push((idx, summary, t, id));
        }
        if hits.len() > limit {
            break;
        }
    }

    let more = hits.len() > limit;
    hits.truncate(limit);
    let next_cursor = match (more, hits.last()) {
        (true, Some((o, _, t, i))) => Some(
            Cursor {
                o: *o,
                u: org_units[*o].to_string(),
                t: *t,
                i: i.clone(),
            }
            .encode()?,
        ),
        _ => None,
    };
    let items = hits
        .iter()
        .map(|(_, s, _, _)| from_json(s))
        .collect::<StoreResult<Vec<CaseSummary>>>()?;
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_checks_the_org_unit() {
        let c = Cursor {
            o: 1,
            u: "OE-A".into(),
            t: 42,
            i: "c1".into(),
        };
        let text = c.encode().expect("encode");
        assert_eq!(Cursor::decode(&text, &["OE-B", "OE-A"]).expect("decode"), c);
        assert!(matches!(
            Cursor::decode(&text, &["OE-A", "OE-B"]),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            Cursor::decode(&text, &["OE-B"]),
            Err(StoreError::InvalidCursor)
        ));
    }
}
