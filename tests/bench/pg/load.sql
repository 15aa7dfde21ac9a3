-- Second half of the load (see schema.sql): ranges from the CSV's bounds,
-- then the indexes, built after the rows as one does for a bulk load.
-- tests/bench/run reports the time of each part: psql prints each
-- statement's time (\timing), and the \echo lines name the parts.

\timing on
\echo ranges
INSERT INTO statements (id, subject, predicate, object, r)
SELECT id, subject, predicate, object, daterange(lower_day, upper_day, '[)')
FROM statements_csv;
DROP TABLE statements_csv;

\echo indexes
-- Stabbing ("holds on day d") and window ("overlaps [a, b)") queries.
-- Packed full (the table is read-only here): left at the default fill, this
-- index is a little larger than statements_subject_r, and the planner then
-- answers r-only conditions from the (subject, r) index instead, two to
-- three times slower at 1M statements.
CREATE INDEX statements_r ON statements USING gist (r) WITH (fillfactor = 100);
-- Point as-of: one subject on one day (btree_gist supplies the int opclass).
CREATE INDEX statements_subject_r ON statements USING gist (subject, r);
-- History: every statement of one subject.
CREATE INDEX statements_subject ON statements (subject);

\echo vacuum
-- Sets the visibility map (index-only scans) and the planner statistics,
-- as autovacuum would do on a settled table.
VACUUM ANALYZE statements;
