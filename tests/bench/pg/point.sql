-- pgbench script: point as-of, the statements of one subject that hold on
-- one day. Variables (pgbench -D): subjects, days, day0 (see
-- tests/bench/run). Subject and day are drawn uniformly, as
-- annals_bench_load does.
\set s random(0, :subjects - 1)
\set d random(0, :days - 1)
SELECT id, predicate, object, r FROM statements
WHERE subject = :s AND r @> (:day0::date + :d::int);
