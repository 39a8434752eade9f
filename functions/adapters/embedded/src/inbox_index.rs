//! The inbox index in SQLite (table `inbox`, migration 3): one row per case with the keys of
//! `core::inbox::InboxEntry`, written in the same transaction as the case; keyset paging over
//! `(org_unit_id, open, due_key | receipt_key)`, so a page reads only rows of its scope in order.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fallwerk_core::inbox::{
    AssigneeFilter, InboxCounts, InboxEntry, InboxItem, InboxScope, InboxSearch, InboxSort,
    search_key,
};
use fallwerk_core::model::{Case, Status, TaskKind};
use fallwerk_core::ports::{Page, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::codec::{db, from_json, to_json};

/// Writes (or replaces) the case's inbox row.
pub(crate) fn write(tx: &Connection, case: &Case) -> StoreResult<()> {
    let e = InboxEntry::of(case);
    let i = &e.item;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO inbox (case_id, org_unit_id, open, due_key, receipt_key, status,
             open_task, assignee, overdue, leika_id, reference_key, name_key, item)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .map_err(db)?
    .execute(params![
        i.id,
        i.org_unit_id,
        e.scope == InboxScope::Open,
        e.due_key,
        e.receipt_key,
        i.status.as_str(),
        i.open_task.map(|t| t.as_str()),
        i.assignee,
        i.overdue,
        i.leika_id,
        e.reference_key,
        e.name_key,
        to_json(i)?
    ])
    .map_err(db)?;
    Ok(())
}

/// Builds the rows of cases stored before the inbox index existed (after migration 3).
pub(crate) fn backfill(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn.transaction().map_err(db)?;
    let missing: Vec<String> = {
        let mut stmt = tx
            .prepare(
                "SELECT data FROM cases WHERE NOT EXISTS
                     (SELECT 1 FROM inbox WHERE inbox.case_id = cases.id)",
            )
            .map_err(db)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)?
    };
    for data in missing {
        write(&tx, &from_json::<Case>(&data)?)?;
    }
    tx.commit().map_err(db)
}

/// Where the previous page ended: org unit (index and id), sort, scope, last key.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Cursor {
    o: usize,
    u: String,
    s: InboxSort,
    c: InboxScope,
    k: String,
}

impl Cursor {
    fn encode(&self) -> StoreResult<String> {
        Ok(URL_SAFE_NO_PAD.encode(to_json(self)?))
    }

    fn decode(text: &str, org_units: &[&str], q: &InboxSearch) -> StoreResult<Cursor> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| StoreError::InvalidCursor)?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
        if org_units.get(c.o) != Some(&c.u.as_str()) || c.s != q.sort || c.c != q.scope {
            return Err(StoreError::InvalidCursor);
        }
        Ok(c)
    }
}

fn distinct(org_units: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for ou in org_units {
        if !out.contains(&ou.as_str()) {
            out.push(ou);
        }
    }
    out
}

pub(crate) fn search(conn: &Connection, q: &InboxSearch) -> StoreResult<Page<InboxItem>> {
    let limit = q.limit.clamp(1, 100) as usize;
    let org_units = distinct(&q.org_units);
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &org_units, q))
        .transpose()?;
    let start = cursor.as_ref().map_or(0, |c| c.o);
    let key = match q.sort {
        InboxSort::Due => "due_key",
        InboxSort::Receipt => "receipt_key",
    };

    // ?1 org unit, ?2 open, ?3 after key, ?4 limit; criteria from ?5 on.
    let mut filter = String::new();
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len() + 4)
    };
    if !q.statuses.is_empty() {
        let list: Vec<String> = q
            .statuses
            .iter()
            .map(|s| arg(Value::Text(s.as_str().into())))
            .collect();
        filter.push_str(&format!(" AND status IN ({})", list.join(", ")));
    }
    if let Some(t) = q.task {
        filter.push_str(&format!(
            " AND open_task = {}",
            arg(Value::Text(t.as_str().into()))
        ));
    }
    match &q.assignee {
        Some(AssigneeFilter::Is(a)) => {
            filter.push_str(&format!(" AND assignee = {}", arg(Value::Text(a.clone()))))
        }
        Some(AssigneeFilter::Nobody) => filter.push_str(" AND assignee IS NULL"),
        None => {}
    }
    if let Some(o) = q.overdue {
        filter.push_str(&format!(
            " AND overdue = {}",
            arg(Value::Integer(i64::from(o)))
        ));
    }
    if let Some(l) = &q.leika_id {
        filter.push_str(&format!(" AND leika_id = {}", arg(Value::Text(l.clone()))));
    }
    if let Some(s) = &q.search {
        let p = arg(Value::Text(search_key(s)));
        filter.push_str(&format!(
            " AND (instr(reference_key, {p}) = 1 OR instr(name_key, {p}) > 0)"
        ));
    }
    let sql = format!(
        "SELECT item, {key} FROM inbox INDEXED BY inbox_{index}
         WHERE org_unit_id = ?1 AND open = ?2 AND {key} > ?3{filter}
         ORDER BY {key} LIMIT ?4",
        index = match q.sort {
            InboxSort::Due => "due",
            InboxSort::Receipt => "receipt",
        }
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let open = q.scope == InboxScope::Open;
    let mut hits: Vec<(usize, String, String)> = Vec::new();
    for (idx, ou) in org_units.iter().enumerate().skip(start) {
        let after = match &cursor {
            Some(c) if c.o == idx => c.k.clone(),
            _ => String::new(),
        };
        let want = (limit + 1 - hits.len()) as i64;
        let mut params: Vec<Value> = vec![
            Value::Text((*ou).to_string()),
            Value::Integer(i64::from(open)),
            Value::Text(after),
            Value::Integer(want),
        ];
        params.extend(args.iter().cloned());
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(db)?;
        for row in rows {
            let (item, k): (String, String) = row.map_err(db)?;
            hits.push((idx, item, k));
        }
        if hits.len() > limit {
            break;
        }
    }
    let more = hits.len() > limit;
    hits.truncate(limit);
    let next_cursor = match (more, hits.last()) {
        (true, Some((o, _, k))) => Some(
            Cursor {
                o: *o,
                u: org_units[*o].to_string(),
                s: q.sort,
                c: q.scope,
                k: k.clone(),
            }
            .encode()?,
        ),
        _ => None,
    };
    let items = hits
        .iter()
        .map(|(_, item, _)| from_json(item))
        .collect::<StoreResult<Vec<InboxItem>>>()?;
    Ok(Page { items, next_cursor })
}

pub(crate) fn counts(conn: &Connection, org_units: &[String]) -> StoreResult<InboxCounts> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT status, open_task, overdue, assignee IS NOT NULL, count(*) FROM inbox
             WHERE org_unit_id = ?1 AND open = 1
             GROUP BY status, open_task, overdue, assignee IS NOT NULL",
        )
        .map_err(db)?;
    let mut out = InboxCounts::default();
    for ou in distinct(org_units) {
        let rows = stmt
            .query_map([ou], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(db)?;
        for row in rows {
            let (status, task, overdue, assigned, n) = row.map_err(db)?;
            let status = Status::parse(&status)
                .ok_or_else(|| StoreError::Backend(format!("unknown status {status}")))?;
            let task = task.as_deref().and_then(TaskKind::parse);
            out.add(status, task, overdue, assigned, n.max(0) as u64);
        }
    }
    Ok(out)
}
