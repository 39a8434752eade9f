-- fallwerk embedded schema, version 1. Timestamps are INTEGER microseconds since the Unix
-- epoch (UTC), so numeric order is time order; records are JSON text.

CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    org_unit_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    open_task   TEXT,
    assignee    TEXT,
    overdue     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    summary     TEXT NOT NULL,   -- CaseSummary JSON: what the inbox returns
    data        TEXT NOT NULL    -- Case JSON
);
CREATE INDEX cases_inbox ON cases (org_unit_id, updated_at, id);
CREATE INDEX cases_inbox_status ON cases (org_unit_id, status, updated_at, id);

CREATE TABLE events (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq     INTEGER NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

CREATE TABLE messages (
    id      TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    at      INTEGER NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX messages_thread ON messages (case_id, at);

CREATE TABLE idempotency (
    client        TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    body_sha256   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (client, submission_id)
) WITHOUT ROWID;

-- The sparse due index: one row per deadline that owes something (see ports::due_entries).
CREATE TABLE deadlines (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    deadline_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    fire_at     INTEGER NOT NULL,
    PRIMARY KEY (case_id, deadline_id)
) WITHOUT ROWID;
CREATE INDEX deadlines_due ON deadlines (fire_at, case_id, deadline_id, kind);

CREATE TABLE ledger (
    deadline_id TEXT NOT NULL,
    level       TEXT NOT NULL,
    written_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (deadline_id, level)
) WITHOUT ROWID;

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE processed (
    message_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE counters (
    name  TEXT NOT NULL,
    year  INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name, year)
) WITHOUT ROWID;

CREATE TABLE org_units      (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE services       (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE portal_clients (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
