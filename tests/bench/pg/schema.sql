-- The PostgreSQL side of the comparison (tests/bench/run): the schema a
-- PostgreSQL user would pick for "what held on this day" questions, a
-- daterange per statement with GiST indexes.
--
-- Loaded in three steps so that each can be timed: this file, then
-- COPY statements_csv FROM STDIN (annals_bench_gen's statements.csv), then
-- load.sql, which builds the ranges and the indexes.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;

DROP TABLE IF EXISTS statements;
DROP TABLE IF EXISTS statements_csv;

-- The CSV as written: an empty bound is NULL, i.e. unbounded. Unlogged: it
-- only lives for the load.
CREATE UNLOGGED TABLE statements_csv (
  id text,
  subject int,
  predicate text,
  object text,
  lower_day date,
  upper_day date
);

-- r is the half-open range of days [lower, upper) on which the statement
-- holds; an imprecise bound has already been widened to every day it may
-- be (the generator's "possible" envelope).
CREATE TABLE statements (
  id text PRIMARY KEY,
  subject int NOT NULL,
  predicate text NOT NULL,
  object text NOT NULL,
  r daterange NOT NULL
);
