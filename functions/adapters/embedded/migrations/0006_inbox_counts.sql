-- fallwerk embedded schema, version 5: inbox reads that no longer touch every row of an org unit
-- (docs/BENCHMARKS.md, "Workplace pages"; issue 15). Measured with 10k open cases in one org unit:
-- - The counts (by status, open task, overdue, assigned) group all open rows of the org unit;
--   they read the table rows with their item JSON (~16 ms even in an optimised build). A narrow
--   covering index makes them an index scan.
-- - A selective filter (`assignee = me`, a status, an open task, a name) walked the sort index and
--   looked every row up in the table to test it (~30 ms when nothing matches). The sort indexes
--   now carry the filter columns, so a row is read only when it matches.

CREATE INDEX inbox_counts ON inbox (org_unit_id, open, status, open_task, overdue, assignee);

DROP INDEX inbox_due;
CREATE INDEX inbox_due ON inbox (org_unit_id, open, due_key,
    status, open_task, overdue, assignee, leika_id, reference_key, name_key);

DROP INDEX inbox_receipt;
CREATE INDEX inbox_receipt ON inbox (org_unit_id, open, receipt_key,
    status, open_task, overdue, assignee, leika_id, reference_key, name_key);
