//! The caseworker inbox: one query per org unit on the `inbox` index, server-side filters, and
//! an opaque cursor (base64url JSON of the org unit's position and the last sort key returned).

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fallwerk_core::ports::{CaseSummary, InboxQuery, Page, StoreError, StoreResult};
use serde::{Deserialize, Serialize};

use super::DynamoStore;
use crate::codec::{from_attr, get_s, s};
use crate::keys::*;

/// Where the next page starts: org unit `o` (index into the query's list), after sort key `k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    o: usize,
    k: Option<String>,
}

fn encode(cursor: &Cursor) -> StoreResult<String> {
    let json = serde_json::to_vec(cursor).map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn decode(raw: &str) -> StoreResult<Cursor> {
    let json = URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| StoreError::InvalidCursor)?;
    serde_json::from_slice(&json).map_err(|_| StoreError::InvalidCursor)
}

/// The optional criteria as `(attribute, required value)`; combined with AND as `#fN = :fN`.
fn criteria(query: &InboxQuery) -> Vec<(&'static str, AttributeValue)> {
    let mut out = Vec::new();
    if let Some(status) = query.status {
        out.push((STATUS, s(status.as_str())));
    }
    if let Some(task) = query.task {
        out.push((TASK, s(task.as_str())));
    }
    if let Some(assignee) = &query.assignee {
        out.push((ASSIGNEE, s(assignee.clone())));
    }
    if let Some(overdue) = query.overdue {
        out.push((OVERDUE, AttributeValue::Bool(overdue)));
    }
    out
}

impl DynamoStore {
    pub(super) async fn inbox(&self, query: &InboxQuery) -> StoreResult<Page<CaseSummary>> {
        let limit = query.limit.clamp(1, 100) as usize;
        // One more than the page holds tells whether a next page exists.
        let want = limit + 1;
        let start = match &query.cursor {
            Some(raw) => {
                let c = decode(raw)?;
                if c.o >= query.org_units.len() || c.k.as_deref().is_some_and(str::is_empty) {
                    return Err(StoreError::InvalidCursor);
                }
                c
            }
            None => Cursor { o: 0, k: None },
        };
        let criteria = criteria(query);
        let filter_expr = (0..criteria.len())
            .map(|i| format!("#f{i} = :f{i}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        // Filters apply after `Limit`: read more per page so short pages need fewer round trips.
        let page_size = if criteria.is_empty() { want } else { 200 };

        let mut out: Vec<(usize, String, CaseSummary)> = Vec::new();
        let mut o = start.o;
        let mut after = start.k;
        while o < query.org_units.len() && out.len() < want {
            let ou_pk = inbox_pk(&query.org_units[o]);
            let items = self
                .query_items(want - out.len(), || {
                    let mut q = self
                        .query()
                        .index_name(INBOX_INDEX)
                        .expression_attribute_names("#gpk", GSI1_PK)
                        .expression_attribute_names("#gsk", GSI1_SK)
                        .expression_attribute_names("#summary", SUMMARY)
                        .expression_attribute_values(":gpk", s(ou_pk.clone()))
                        .projection_expression("#gsk, #summary")
                        .limit(i32::try_from(page_size).unwrap_or(200));
                    q = match &after {
                        Some(k) => q
                            .key_condition_expression("#gpk = :gpk AND #gsk > :after")
                            .expression_attribute_values(":after", s(k.clone())),
                        None => q.key_condition_expression("#gpk = :gpk"),
                    };
                    if !criteria.is_empty() {
                        q = q.filter_expression(filter_expr.clone());
                        for (i, (name, value)) in criteria.iter().enumerate() {
                            q = q
                                .expression_attribute_names(format!("#f{i}"), *name)
                                .expression_attribute_values(format!(":f{i}"), value.clone());
                        }
                    }
                    q
                })
                .await?;
            for it in &items {
                let sk = get_s(it, GSI1_SK).unwrap_or_default().to_string();
                out.push((o, sk, from_attr(it, SUMMARY, "case summary")?));
            }
            o += 1;
            after = None;
        }

        let next_cursor = if out.len() > limit {
            out.truncate(limit);
            match out.last() {
                Some((o, k, _)) => Some(encode(&Cursor {
                    o: *o,
                    k: Some(k.clone()),
                })?),
                None => None,
            }
        } else {
            None
        };
        Ok(Page {
            items: out.into_iter().map(|(_, _, summary)| summary).collect(),
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let c = Cursor {
            o: 2,
            k: Some("2025-01-01T00:00:00.000000000Z#c1".into()),
        };
        let raw = encode(&c).expect("encodes");
        assert_eq!(decode(&raw).expect("decodes"), c);
        assert!(matches!(
            decode("not a cursor!"),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            decode(&URL_SAFE_NO_PAD.encode(b"{}")),
            Err(StoreError::InvalidCursor)
        ));
    }
}
