//! The single source of truth for fallwerk's DynamoDB single-table layout: attribute names,
//! index names, key builders and the table definition the IaC template must match.
//!
//! # Layout
//!
//! One table, on-demand (`PAY_PER_REQUEST`), string keys `pk`/`sk`, TTL on `ttl` (epoch seconds).
//! Timestamps inside keys are fixed-width RFC 3339 UTC with nanoseconds
//! (`2025-01-31T23:00:00.000000000Z`), so they sort lexicographically in time order.
//!
//! | Item | `pk` | `sk` | GSI `inbox` (`gsi1pk` / `gsi1sk`) | GSI `due` (`gsi2pk` / `gsi2sk`) | `ttl` |
//! |---|---|---|---|---|---|
//! | case | `CASE#{id}` | `META` | – | – | – |
//! | audit event | `CASE#{id}` | `EVENT#{seq:020}` | – | – | – |
//! | postbox message | `CASE#{id}` | `MSG#{at}#{message_id}` | – | – | – |
//! | inbox entry (per sort order) | `CASE#{id}` | `INBOX#due` / `INBOX#receipt` | `INBOX#{org_unit}#{open\|closed}#{due\|receipt}` / sort key of `core::inbox::InboxEntry` | – | – |
//! | deadline | `CASE#{id}` | `DEADLINE#{kind}#{deadline_id}` | – | `DUE#{shard}` / `{next_fire_at}#{case_id}#{deadline_id}` (only while `next_fire_at` exists: sparse) | – |
//! | idempotency record | `SUBMISSION#{client}#{submission_id}` | `META` | – | – | received + 365 d |
//! | org unit | `OU#{id}` | `META` | `DIRECTORY#OU` / `{id}` | – | – |
//! | service | `SERVICE#{leika}` | `META` | `DIRECTORY#SERVICE` / `{leika}` | – | – |
//! | portal client | `CLIENT#{id}` | `META` | `DIRECTORY#CLIENT` / `{id}` | – | – |
//! | user | `USER#{id}` | `META` | `DIRECTORY#USER` / `{id}` | – | – |
//! | org unit membership (the user record again) | `USER#{id}` | `MEMBER#{org_unit}` | `MEMBERS#{org_unit}` / `{id}` | – | – |
//! | reference counter | `COUNTER#reference#{year}` | `META` | – | – | – |
//! | reminder ledger | `LEDGER#{deadline_id}#{level}` | `META` | – | – | `expires_at` |
//! | lease | `LEASE#{name}` | `META` | – | – | expiry + 1 d |
//! | outbox entry | `OUTBOX#{message_id}` | `META` | – | `OUTBOX#{shard}` / `{created_at}#{message_id}` | – |
//! | processed marker | `PROCESSED#{message_id}` | `META` | – | – | `expires_at` |
//!
//! A processed marker with `lease_until_ms` (N) is a consumer's claim whose work is not yet
//! confirmed; without it, the work is confirmed (`OutboxStore::claim_work`).
//!
//! `{shard}` is `0..SHARDS` (FNV-1a of the case id for deadlines, of the message id for the
//! outbox): the scheduler queries every shard with `gsi2sk < "{now}$"` and merges the results,
//! so the cost follows the number of due entries, never the number of stored deadlines.
//! The inbox lists one org unit and scope per query (`gsi1pk = INBOX#{ou}#open#due`), ascending
//! by `gsi1sk`; status, open task, assignee, overdue, service and the search keys are plain
//! attributes of the inbox entries, filtered server-side. Case records (`META`) carry no index
//! keys since the inbox entries exist; records written before carry `OU#{ou}` keys until saved
//! again, and nothing reads them. Cases written before the inbox entries existed get theirs
//! from `DynamoStore::backfill_inbox` (`fallwerk admin backfill-inbox --backend aws`).
//! Outbox `created_at` is the write time of the transaction that wrote the entry.
//! Directory listings read the `inbox` index, so they are eventually consistent; point reads
//! (`org_unit`, `service`, `portal_client`, `load_case`) are strongly consistent.
//!
//! Users are listed from `DIRECTORY#USER`; the members of one org unit from `MEMBERS#{ou}`, one
//! membership item per user and org unit written in the same transaction as the user record,
//! so that list reads only the members (users written before the membership items get theirs
//! from `DynamoStore::backfill_memberships`).
//!
//! Payload attributes: `data` (JSON of the domain record: case, event, message, deadline,
//! directory record, user, queue message), `org_units` (L of S, user), `version` (N, case),
//! `item` (JSON of the inbox line, inbox entry), `status`/`task`/`assignee`/`overdue`/`leika`/
//! `ref_key`/`name_key` (inbox filters, inbox entry; `task` and `assignee` absent when none),
//! `due` (JSON of the due entry, deadlines in the index), `case_id`/`body_sha256`
//! (idempotency record), `value` (N, counter), `written_at` (ledger), `holder`/`expires_at_ms`
//! (N, lease), `created_at` (outbox).

use chrono::{DateTime, SecondsFormat, Utc};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
pub const TTL: &str = "ttl";

/// The inbox and directory-listing index (`gsi1pk` / `gsi1sk`).
pub const INBOX_INDEX: &str = "inbox";
/// The sparse due index of deadlines and pending outbox entries (`gsi2pk` / `gsi2sk`).
pub const DUE_INDEX: &str = "due";

// Payload attributes.
pub const DATA: &str = "data";
pub const VERSION: &str = "version";
pub const DUE: &str = "due";
pub const STATUS: &str = "status";
pub const TASK: &str = "task";
pub const ASSIGNEE: &str = "assignee";
pub const OVERDUE: &str = "overdue";
pub const CASE_ID: &str = "case_id";
pub const BODY_SHA256: &str = "body_sha256";
pub const COUNTER_VALUE: &str = "value";
pub const WRITTEN_AT: &str = "written_at";
pub const CREATED_AT: &str = "created_at";
pub const HOLDER: &str = "holder";
/// The caseworkers' read mark on a postbox message item (JSON `ReadMark`), set once.
pub const READ_MARK: &str = "read";
/// Inbox entry attributes: the `InboxItem` JSON, the service, search keys of reference and name.
pub const INBOX_ITEM: &str = "item";
pub const LEIKA: &str = "leika";
pub const REFERENCE_KEY: &str = "ref_key";
pub const NAME_KEY: &str = "name_key";
/// Lease expiry in epoch milliseconds (N).
pub const EXPIRES_AT_MS: &str = "expires_at_ms";
/// Lease end (ms since the epoch) of an unconfirmed consumer claim (processed marker).
pub const LEASE_UNTIL_MS: &str = "lease_until_ms";
/// A user's org units (L of S), for the per-org-unit member list.
pub const ORG_UNITS: &str = "org_units";

/// The sort key of every single-item record.
pub const META: &str = "META";
/// Number of shards of the due index partitions (`DUE#0..3`, `OUTBOX#0..3`).
pub const SHARDS: u32 = 4;
/// How long an idempotency record outlives its submission (TTL).
pub const IDEMPOTENCY_TTL_DAYS: i64 = 365;
/// DynamoDB's limit of items in one TransactWriteItems call.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// Fixed-width RFC 3339 UTC with nanoseconds: sorts lexicographically in time order.
pub fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Exclusive upper bound of a `{ts}#...` sort key for "at or before `at`": `'$'` sorts right after `'#'`.
pub fn ts_upper_bound(at: DateTime<Utc>) -> String {
    format!("{}$", ts(at))
}

/// Stable shard of an id: FNV-1a 32 (never std's randomised hasher).
pub fn shard(id: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

pub fn case_pk(case_id: &str) -> String {
    format!("CASE#{case_id}")
}
pub fn event_sk(seq: u64) -> String {
    format!("EVENT#{seq:020}")
}
pub const EVENT_PREFIX: &str = "EVENT#";
pub fn message_sk(at: DateTime<Utc>, message_id: &str) -> String {
    format!("MSG#{}#{message_id}", ts(at))
}
pub const MESSAGE_PREFIX: &str = "MSG#";
pub fn deadline_sk(kind: &str, deadline_id: &str) -> String {
    format!("DEADLINE#{kind}#{deadline_id}")
}
pub const DEADLINE_PREFIX: &str = "DEADLINE#";
pub fn submission_pk(client: &str, submission_id: &str) -> String {
    format!("SUBMISSION#{client}#{submission_id}")
}
pub fn org_unit_pk(id: &str) -> String {
    format!("OU#{id}")
}
pub fn service_pk(leika_id: &str) -> String {
    format!("SERVICE#{leika_id}")
}
pub fn client_pk(id: &str) -> String {
    format!("CLIENT#{id}")
}
pub fn user_pk(id: &str) -> String {
    format!("USER#{id}")
}
pub fn counter_pk(year: i32) -> String {
    format!("COUNTER#reference#{year}")
}
pub fn ledger_pk(deadline_id: &str, level: &str) -> String {
    format!("LEDGER#{deadline_id}#{level}")
}
pub fn lease_pk(name: &str) -> String {
    format!("LEASE#{name}")
}
pub fn outbox_pk(message_id: &str) -> String {
    format!("OUTBOX#{message_id}")
}
pub fn processed_pk(message_id: &str) -> String {
    format!("PROCESSED#{message_id}")
}

/// Inbox index entries (`core::inbox`): one item per case and sort order, in the case's
/// partition (`CASE#{id}` / `INBOX#due`, `INBOX#receipt`), listed through the `inbox` index
/// under `INBOX#{org_unit}#{open|closed}#{due|receipt}` with the entry's sort key as `gsi1sk`.
pub fn inbox_entry_sk(sort: &str) -> String {
    format!("INBOX#{sort}")
}
pub fn inbox_index_pk(org_unit_id: &str, scope: &str, sort: &str) -> String {
    format!("INBOX#{org_unit_id}#{scope}#{sort}")
}
/// Directory listings reuse the inbox index: `DIRECTORY#OU`, `DIRECTORY#SERVICE`, `DIRECTORY#CLIENT`.
pub const DIR_ORG_UNITS: &str = "DIRECTORY#OU";
pub const DIR_SERVICES: &str = "DIRECTORY#SERVICE";
pub const DIR_CLIENTS: &str = "DIRECTORY#CLIENT";
/// The user directory's listing partition.
pub const DIR_USERS: &str = "DIRECTORY#USER";
/// A user's membership item in one org unit (`USER#{id}` / `MEMBER#{ou}`).
pub fn member_sk(org_unit_id: &str) -> String {
    format!("{MEMBER_PREFIX}{org_unit_id}")
}
pub const MEMBER_PREFIX: &str = "MEMBER#";
/// The index partition listing the members of an org unit.
pub fn members_pk(org_unit_id: &str) -> String {
    format!("MEMBERS#{org_unit_id}")
}

/// Due index partition of a case's deadlines.
pub fn due_pk(case_id: &str) -> String {
    due_shard_pk(shard(case_id))
}
pub fn due_shard_pk(shard: u32) -> String {
    format!("DUE#{shard}")
}
pub fn due_sk(fire_at: DateTime<Utc>, case_id: &str, deadline_id: &str) -> String {
    format!("{}#{case_id}#{deadline_id}", ts(fire_at))
}
/// Due index partition of a pending outbox entry.
pub fn outbox_due_pk(message_id: &str) -> String {
    outbox_shard_pk(shard(message_id))
}
pub fn outbox_shard_pk(shard: u32) -> String {
    format!("OUTBOX#{shard}")
}
pub fn outbox_due_sk(created_at: DateTime<Utc>, message_id: &str) -> String {
    format!("{}#{message_id}", ts(created_at))
}

/// One key attribute of the table or an index, as CloudFormation spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDef {
    pub attribute_name: &'static str,
    /// `HASH` or `RANGE`.
    pub key_type: &'static str,
}

/// A global secondary index, as CloudFormation spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub index_name: &'static str,
    pub key_schema: Vec<KeyDef>,
    /// `ALL`.
    pub projection_type: &'static str,
}

/// The table as `AWS::DynamoDB::Table` declares it (names, types, indexes, TTL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    pub billing_mode: &'static str,
    pub key_schema: Vec<KeyDef>,
    /// `(AttributeName, AttributeType)`; all key attributes are strings (`S`).
    pub attribute_definitions: Vec<(&'static str, &'static str)>,
    pub global_secondary_indexes: Vec<IndexDef>,
    pub ttl_attribute: &'static str,
}

fn key(attribute_name: &'static str, key_type: &'static str) -> KeyDef {
    KeyDef {
        attribute_name,
        key_type,
    }
}

/// The table definition both [`crate::create_table`] and infra/template.yaml must match.
pub fn table_definition() -> TableDefinition {
    TableDefinition {
        billing_mode: "PAY_PER_REQUEST",
        key_schema: vec![key(PK, "HASH"), key(SK, "RANGE")],
        attribute_definitions: vec![
            (PK, "S"),
            (SK, "S"),
            (GSI1_PK, "S"),
            (GSI1_SK, "S"),
            (GSI2_PK, "S"),
            (GSI2_SK, "S"),
        ],
        global_secondary_indexes: vec![
            IndexDef {
                index_name: INBOX_INDEX,
                key_schema: vec![key(GSI1_PK, "HASH"), key(GSI1_SK, "RANGE")],
                projection_type: "ALL",
            },
            IndexDef {
                index_name: DUE_INDEX,
                key_schema: vec![key(GSI2_PK, "HASH"), key(GSI2_SK, "RANGE")],
                projection_type: "ALL",
            },
        ],
        ttl_attribute: TTL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_fixed_width_and_sort() {
        let a = Utc
            .with_ymd_and_hms(2025, 1, 2, 3, 4, 5)
            .single()
            .expect("valid");
        let b = a + chrono::Duration::nanoseconds(1);
        assert_eq!(ts(a), "2025-01-02T03:04:05.000000000Z");
        assert_eq!(ts(a).len(), ts(b).len());
        assert!(ts(a) < ts(b));
        assert!(due_sk(a, "c", "d") < ts_upper_bound(a));
        assert!(due_sk(b, "c", "d") > ts_upper_bound(a));
    }

    #[test]
    fn shards_are_stable() {
        // FNV-1a 32 of "" is 0x811c9dc5, of "a" is 0xe40c292c.
        assert_eq!(shard(""), 0x811c_9dc5 % SHARDS);
        assert_eq!(shard("a"), 0xe40c_292c % SHARDS);
        assert!((0..1000).all(|i| shard(&format!("case-{i}")) < SHARDS));
    }

    #[test]
    fn event_keys_sort_numerically() {
        assert!(event_sk(9) < event_sk(10));
        assert_eq!(event_sk(u64::MAX).len(), event_sk(0).len());
    }
}
