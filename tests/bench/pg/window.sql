-- pgbench script: the first 100 statements overlapping a 30-day window, in
-- Annals' chronological order (QueryWindow): by start, unbounded starts
-- first, then by end, unbounded ends last, then by id. With one range per
-- statement the earliest and latest start coincide, as do the ends.
\set d random(0, :days - 1)
SELECT id, subject, predicate, object, r FROM statements
WHERE r && daterange(:day0::date + :d::int, :day0::date + :d::int + 30)
ORDER BY lower(r) NULLS FIRST, upper(r) NULLS LAST, id
LIMIT 100;
