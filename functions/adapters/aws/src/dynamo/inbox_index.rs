//! The inbox on DynamoDB (`core::inbox`): every case write puts two inbox entries (one per sort
//! order) into the case's partition; the `inbox` index lists them under
//! `INBOX#{org_unit}#{open|closed}#{sort}`, so a page reads only the entries of its org unit and
//! scope (open cases by default), in its order. Filters (status, task, assignee, overdue,
//! service, search) are FilterExpressions over that scope only; counts read the open scope's
//! entries of one sort order (projection of four small attributes).

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fallwerk_core::inbox::{
    AssigneeFilter, InboxCounts, InboxEntry, InboxItem, InboxScope, InboxSearch, InboxSort,
    search_key,
};
use fallwerk_core::model::{Case, Status, TaskKind};
use fallwerk_core::ports::{Page, StoreError, StoreResult};
use serde::{Deserialize, Serialize};

use super::DynamoStore;
use crate::codec::{Item, from_attr, get_s, item, s, to_json};
use crate::keys::*;

fn scope_name(scope: InboxScope) -> &'static str {
    match scope {
        InboxScope::Open => "open",
        InboxScope::Closed => "closed",
    }
}

fn sort_name(sort: InboxSort) -> &'static str {
    match sort {
        InboxSort::Due => "due",
        InboxSort::Receipt => "receipt",
    }
}

/// The two inbox entries of a case (put with every create and save; same keys, so a save
/// overwrites them, also when the org unit or the scope changes).
pub fn inbox_items(case: &Case) -> StoreResult<Vec<Item>> {
    let e = InboxEntry::of(case);
    let what = format!("inbox entry of case {}", case.id);
    let json = to_json(&what, &e.item)?;
    [InboxSort::Due, InboxSort::Receipt]
        .into_iter()
        .map(|sort| {
            let mut it = item(case_pk(&case.id), &inbox_entry_sk(sort_name(sort)));
            it.insert(
                GSI1_PK.into(),
                s(inbox_index_pk(
                    &case.org_unit_id,
                    scope_name(e.scope),
                    sort_name(sort),
                )),
            );
            it.insert(GSI1_SK.into(), s(e.sort_key(sort)));
            it.insert(INBOX_ITEM.into(), s(json.clone()));
            it.insert(STATUS.into(), s(e.item.status.as_str()));
            if let Some(task) = e.item.open_task {
                it.insert(TASK.into(), s(task.as_str()));
            }
            if let Some(a) = &e.item.assignee {
                it.insert(ASSIGNEE.into(), s(a.clone()));
            }
            it.insert(OVERDUE.into(), AttributeValue::Bool(e.item.overdue));
            it.insert(LEIKA.into(), s(e.item.leika_id.clone()));
            it.insert(REFERENCE_KEY.into(), s(e.reference_key.clone()));
            it.insert(NAME_KEY.into(), s(e.name_key.clone()));
            Ok(it)
        })
        .collect()
}

/// Where the next page starts: org unit `o` (index and id), sort, scope, after key `k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    o: usize,
    u: String,
    s: InboxSort,
    c: InboxScope,
    k: String,
}

fn encode(cursor: &Cursor) -> StoreResult<String> {
    let json = serde_json::to_vec(cursor).map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn decode(raw: &str, org_units: &[&str], q: &InboxSearch) -> StoreResult<Cursor> {
    let json = URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| StoreError::InvalidCursor)?;
    let c: Cursor = serde_json::from_slice(&json).map_err(|_| StoreError::InvalidCursor)?;
    if org_units.get(c.o) != Some(&c.u.as_str()) || c.s != q.sort || c.c != q.scope {
        return Err(StoreError::InvalidCursor);
    }
    Ok(c)
}

/// A FilterExpression with its attribute names and values.
type Filter = (
    String,
    Vec<(String, &'static str)>,
    Vec<(String, AttributeValue)>,
);

/// The FilterExpression and its values for the query's criteria (None without criteria).
fn filter(q: &InboxSearch) -> Option<Filter> {
    let mut parts: Vec<String> = Vec::new();
    let mut names: Vec<(String, &'static str)> = Vec::new();
    let mut values: Vec<(String, AttributeValue)> = Vec::new();
    if !q.statuses.is_empty() {
        names.push(("#st".into(), STATUS));
        let list: Vec<String> = q
            .statuses
            .iter()
            .enumerate()
            .map(|(i, st)| {
                values.push((format!(":st{i}"), s(st.as_str())));
                format!(":st{i}")
            })
            .collect();
        parts.push(format!("#st IN ({})", list.join(", ")));
    }
    if let Some(t) = q.task {
        names.push(("#task".into(), TASK));
        values.push((":task".into(), s(t.as_str())));
        parts.push("#task = :task".into());
    }
    match &q.assignee {
        Some(AssigneeFilter::Is(a)) => {
            names.push(("#as".into(), ASSIGNEE));
            values.push((":as".into(), s(a.clone())));
            parts.push("#as = :as".into());
        }
        Some(AssigneeFilter::Nobody) => {
            names.push(("#as".into(), ASSIGNEE));
            parts.push("attribute_not_exists(#as)".into());
        }
        None => {}
    }
    if let Some(o) = q.overdue {
        names.push(("#od".into(), OVERDUE));
        values.push((":od".into(), AttributeValue::Bool(o)));
        parts.push("#od = :od".into());
    }
    if let Some(l) = &q.leika_id {
        names.push(("#lk".into(), LEIKA));
        values.push((":lk".into(), s(l.clone())));
        parts.push("#lk = :lk".into());
    }
    if let Some(text) = &q.search {
        names.push(("#rk".into(), REFERENCE_KEY));
        names.push(("#nk".into(), NAME_KEY));
        values.push((":q".into(), s(search_key(text))));
        parts.push("(begins_with(#rk, :q) OR contains(#nk, :q))".into());
    }
    (!parts.is_empty()).then(|| (parts.join(" AND "), names, values))
}

impl DynamoStore {
    pub(super) async fn search_inbox_index(&self, q: &InboxSearch) -> StoreResult<Page<InboxItem>> {
        let limit = q.limit.clamp(1, 100) as usize;
        let want = limit + 1;
        let mut org_units: Vec<&str> = Vec::new();
        for ou in &q.org_units {
            if !org_units.contains(&ou.as_str()) {
                org_units.push(ou);
            }
        }
        let cursor = q
            .cursor
            .as_deref()
            .map(|c| decode(c, &org_units, q))
            .transpose()?;
        let filter = filter(q);
        // Filters apply after `Limit`: read more per request so filtered pages need fewer trips.
        let page_size = if filter.is_some() { 200 } else { want };
        let mut out: Vec<(usize, String, InboxItem)> = Vec::new();
        let mut o = cursor.as_ref().map_or(0, |c| c.o);
        let mut after = cursor.map(|c| c.k);
        while o < org_units.len() && out.len() < want {
            let pk = inbox_index_pk(org_units[o], scope_name(q.scope), sort_name(q.sort));
            let items = self
                .query_items(want - out.len(), || {
                    let mut b = self
                        .query()
                        .index_name(INBOX_INDEX)
                        .expression_attribute_names("#gpk", GSI1_PK)
                        .expression_attribute_names("#gsk", GSI1_SK)
                        .expression_attribute_names("#item", INBOX_ITEM)
                        .expression_attribute_values(":gpk", s(pk.clone()))
                        .projection_expression("#gsk, #item")
                        .limit(i32::try_from(page_size).unwrap_or(200));
                    b = match &after {
                        Some(k) => b
                            .key_condition_expression("#gpk = :gpk AND #gsk > :after")
                            .expression_attribute_values(":after", s(k.clone())),
                        None => b.key_condition_expression("#gpk = :gpk"),
                    };
                    if let Some((expr, names, values)) = &filter {
                        b = b.filter_expression(expr.clone());
                        for (k, v) in names {
                            b = b.expression_attribute_names(k.clone(), *v);
                        }
                        for (k, v) in values {
                            b = b.expression_attribute_values(k.clone(), v.clone());
                        }
                    }
                    b
                })
                .await?;
            for it in &items {
                let k = get_s(it, GSI1_SK).unwrap_or_default().to_string();
                out.push((o, k, from_attr(it, INBOX_ITEM, "inbox entry")?));
            }
            o += 1;
            after = None;
        }
        let next_cursor = if out.len() > limit {
            out.truncate(limit);
            match out.last() {
                Some((o, k, _)) => Some(encode(&Cursor {
                    o: *o,
                    u: org_units[*o].to_string(),
                    s: q.sort,
                    c: q.scope,
                    k: k.clone(),
                })?),
                None => None,
            }
        } else {
            None
        };
        Ok(Page {
            items: out.into_iter().map(|(_, _, i)| i).collect(),
            next_cursor,
        })
    }

    pub(super) async fn inbox_index_counts(
        &self,
        org_units: &[String],
    ) -> StoreResult<InboxCounts> {
        let mut out = InboxCounts::default();
        let mut seen: Vec<&str> = Vec::new();
        for ou in org_units {
            if seen.contains(&ou.as_str()) {
                continue;
            }
            seen.push(ou);
            let pk = inbox_index_pk(ou, "open", "receipt");
            let items = self
                .query_items(usize::MAX, || {
                    self.inbox_index_query(pk.clone())
                        .expression_attribute_names("#st", STATUS)
                        .expression_attribute_names("#task", TASK)
                        .expression_attribute_names("#od", OVERDUE)
                        .expression_attribute_names("#as", ASSIGNEE)
                        .projection_expression("#st, #task, #od, #as")
                })
                .await?;
            for it in &items {
                let status = get_s(it, STATUS)
                    .and_then(Status::parse)
                    .ok_or_else(|| StoreError::Backend("inbox entry without status".into()))?;
                let task = get_s(it, TASK).and_then(TaskKind::parse);
                let overdue = it
                    .get(OVERDUE)
                    .and_then(|v| v.as_bool().ok())
                    .copied()
                    .unwrap_or(false);
                out.add(status, task, overdue, it.contains_key(ASSIGNEE), 1);
            }
        }
        Ok(out)
    }
}
