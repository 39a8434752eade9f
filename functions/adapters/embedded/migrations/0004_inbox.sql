-- fallwerk embedded schema, version 3: the inbox index (core::inbox). One row per case, keyed
-- by org unit + open/closed + sort key, so an inbox page reads only the rows of its scope in
-- its order. Rows of existing cases are built by the store on open (Rust computes the keys).

CREATE TABLE inbox (
    case_id       TEXT PRIMARY KEY REFERENCES cases (id),
    org_unit_id   TEXT NOT NULL,
    open          INTEGER NOT NULL,
    due_key       TEXT NOT NULL,
    receipt_key   TEXT NOT NULL,
    status        TEXT NOT NULL,
    open_task     TEXT,
    assignee      TEXT,
    overdue       INTEGER NOT NULL,
    leika_id      TEXT NOT NULL,
    reference_key TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    item          TEXT NOT NULL   -- InboxItem JSON: what the inbox returns
);
CREATE INDEX inbox_due ON inbox (org_unit_id, open, due_key);
CREATE INDEX inbox_receipt ON inbox (org_unit_id, open, receipt_key);
