-- pgbench script: stabbing count, how many statements hold on one day,
-- across all subjects.
\set d random(0, :days - 1)
SELECT count(*) FROM statements WHERE r @> (:day0::date + :d::int);
