-- pgbench script: one subject's statements in chronological order (Annals'
-- ListHistory order, as in window.sql).
\set s random(0, :subjects - 1)
SELECT id, predicate, object, r FROM statements
WHERE subject = :s
ORDER BY lower(r) NULLS FIRST, upper(r) NULLS LAST, id;
