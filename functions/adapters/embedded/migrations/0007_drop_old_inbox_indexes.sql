-- The inbox index (0004, 0006) replaced the listing over `cases`; its two indexes were still
-- written with every case change (two more index pages per commit) and read by nothing.
-- The column `summary` stays (NOT NULL, written empty); dropping a column rewrites the table.
DROP INDEX IF EXISTS cases_inbox;
DROP INDEX IF EXISTS cases_inbox_status;
