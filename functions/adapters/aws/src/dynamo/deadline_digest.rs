//! What the case item remembers of its deadline items, so that a save need not query them.
//!
//! A save writes only the deadline items that differ from the stored ones (most of a change's
//! write units otherwise). It used to learn the stored ones with a `Query` of the case's
//! `DEADLINE#` items: one read request per save, one per due deadline in a scheduler tick. Now the
//! case item carries a digest per deadline item (`dl`: sort key → SHA-256 of what was written),
//! written in the same transaction as the items, so it always describes exactly them. `load_case`
//! remembers the digests of the version it read; the save of that version (the version guard
//! makes it the stored one) compares against them. A save without a remembered load (another
//! process loaded the case, or the item predates the digests) queries as before.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_dynamodb::types::AttributeValue;
use sha2::{Digest, Sha256};

use crate::codec::Item;
use crate::keys::{DATA, DUE, GSI2_PK, GSI2_SK, SK};

/// The case item's attribute with the deadline digests.
pub(super) const DEADLINE_DIGESTS: &str = "dl";

/// Loads remembered at most; beyond it the memory starts afresh (a save then queries).
const REMEMBERED_MAX: usize = 4096;

/// Sort key → digest of the deadline items of one case version.
pub(super) type Digests = HashMap<String, String>;

/// The digest of a deadline item: everything a save writes into it (data and due index keys).
fn digest(item: &Item) -> String {
    let mut h = Sha256::new();
    for attr in [DATA, GSI2_PK, GSI2_SK, DUE] {
        match item.get(attr).and_then(|v| v.as_s().ok()) {
            Some(v) => {
                h.update(b"1");
                h.update((v.len() as u64).to_be_bytes());
                h.update(v.as_bytes());
            }
            None => h.update(b"0"),
        }
    }
    hex::encode(h.finalize())
}

/// The digests of `items`, by sort key.
pub(super) fn digests(items: &[Item]) -> Digests {
    items
        .iter()
        .filter_map(|it| {
            let sk = it.get(SK)?.as_s().ok()?;
            Some((sk.clone(), digest(it)))
        })
        .collect()
}

/// `digests` as the case item's attribute.
pub(super) fn to_attr(digests: &Digests) -> AttributeValue {
    AttributeValue::M(
        digests
            .iter()
            .map(|(sk, d)| (sk.clone(), AttributeValue::S(d.clone())))
            .collect(),
    )
}

/// The digests a case item carries; `None` for an item written before they existed.
pub(super) fn from_case_item(case_item: &Item) -> Option<Digests> {
    let map = case_item.get(DEADLINE_DIGESTS)?.as_m().ok()?;
    map.iter()
        .map(|(sk, d)| Some((sk.clone(), d.as_s().ok()?.clone())))
        .collect()
}

/// The deadline items of `items` (whose digests are `written`) that differ from `stored`, and
/// the stored sort keys that `items` no longer has.
pub(super) fn compare(
    items: Vec<Item>,
    written: &Digests,
    stored: &Digests,
) -> (Vec<Item>, Vec<String>) {
    let stale = stored
        .keys()
        .filter(|sk| !written.contains_key(*sk))
        .cloned()
        .collect();
    let changed = items
        .into_iter()
        .filter(|it| match it.get(SK).and_then(|v| v.as_s().ok()) {
            Some(sk) => stored.get(sk) != written.get(sk),
            None => true,
        })
        .collect();
    (changed, stale)
}

/// The digests of the case versions this process loaded, until their save takes them.
#[derive(Debug, Default)]
pub(super) struct Remembered(Mutex<HashMap<String, (u64, Digests)>>);

impl Remembered {
    pub(super) fn remember(&self, case_id: &str, version: u64, digests: Digests) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= REMEMBERED_MAX {
            map.clear();
        }
        map.insert(case_id.to_string(), (version, digests));
    }

    /// The digests remembered for exactly this version of the case, once.
    pub(super) fn take(&self, case_id: &str, version: u64) -> Option<Digests> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match map.remove(case_id) {
            Some((v, digests)) if v == version => Some(digests),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{item, s};

    fn deadline(sk: &str, data: &str, due: Option<&str>) -> Item {
        let mut it = item("CASE#c".into(), sk);
        it.insert(DATA.into(), s(data));
        if let Some(due) = due {
            it.insert(GSI2_PK.into(), s("DUE#1"));
            it.insert(GSI2_SK.into(), s(due));
            it.insert(DUE.into(), s("{}"));
        }
        it
    }

    #[test]
    fn only_changed_items_are_written_and_dropped_ones_deleted() {
        let a = deadline("DEADLINE#a", "{\"open\":true}", Some("2026-12-01"));
        let b = deadline("DEADLINE#b", "{\"open\":true}", None);
        let stored = digests(&[a.clone(), b.clone()]);
        // a unchanged, b's due keys new, c new; nothing dropped.
        let b2 = deadline("DEADLINE#b", "{\"open\":true}", Some("2026-12-02"));
        let c = deadline("DEADLINE#c", "{}", None);
        let items = vec![a.clone(), b2.clone(), c.clone()];
        let (changed, stale) = compare(items.clone(), &digests(&items), &stored);
        assert_eq!(changed, vec![b2, c]);
        assert!(stale.is_empty());
        // a dropped, b unchanged.
        let items = vec![b];
        let (changed, stale) = compare(items.clone(), &digests(&items), &stored);
        assert!(changed.is_empty());
        assert_eq!(stale, vec!["DEADLINE#a".to_string()]);
    }

    #[test]
    fn a_due_key_moved_into_the_data_is_still_a_change() {
        // The length prefix keeps ("ab", "") and ("a", "b") apart.
        let x = deadline("DEADLINE#a", "ab", None);
        let mut y = deadline("DEADLINE#a", "a", None);
        y.insert(GSI2_PK.into(), s("b"));
        assert_ne!(digest(&x), digest(&y));
    }

    #[test]
    fn digests_survive_the_case_item_and_are_taken_once_per_version() {
        let stored = digests(&[deadline("DEADLINE#a", "x", None)]);
        let mut case_item = item("CASE#c".into(), "META");
        assert_eq!(from_case_item(&case_item), None);
        case_item.insert(DEADLINE_DIGESTS.into(), to_attr(&stored));
        assert_eq!(from_case_item(&case_item).as_ref(), Some(&stored));

        let r = Remembered::default();
        r.remember("c", 3, stored.clone());
        assert_eq!(r.take("c", 2), None, "another version is no help");
        r.remember("c", 3, stored.clone());
        assert_eq!(r.take("c", 3), Some(stored));
        assert_eq!(r.take("c", 3), None, "taken once");
    }
}
