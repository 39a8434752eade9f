-- fallwerk embedded schema, version 5: a consumer's claim on a queue message holds a lease.
-- `lease_until` (µs since the epoch) is set while the work is claimed and not yet confirmed;
-- NULL means the work was confirmed (and is how every marker written before version 5 reads).
ALTER TABLE processed ADD COLUMN lease_until INTEGER;
