-- fallwerk embedded schema, version 2: the durable queue (SQS semantics: visibility timeout,
-- receive count, dead letters). Times are INTEGER microseconds since the Unix epoch (UTC).

CREATE TABLE queue_messages (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    queue             TEXT NOT NULL,              -- QueueName::as_str()
    message_id        TEXT NOT NULL,              -- QueueMessage::message_id(); dedup key
    body              TEXT NOT NULL,              -- QueueMessage JSON
    visible_at        INTEGER NOT NULL,           -- not delivered before this time
    receive_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    created_at        INTEGER NOT NULL,
    dead              INTEGER NOT NULL DEFAULT 0, -- 1: in the dead-letter set, never delivered
    last_error        TEXT,
    UNIQUE (queue, message_id)
);
CREATE INDEX queue_messages_ready ON queue_messages (queue, dead, visible_at, id);
