-- PostgreSQL reads the queues, the Tracker and the Home cards through indexes; DuckDB's zone maps and scans
-- are quick enough without them (0024_postgres_indexes.sql changes nothing there).

-- list_contains as written in 0023 wraps `= ANY` in coalesce, which hides the comparison from the planner, so
-- `WHERE list_contains($1, stage)` read the whole table. `= ANY` on a list without NULLs gives the same answers
-- as DuckDB's list_contains (true, false, and NULL only for a NULL element) and can use an index.
CREATE OR REPLACE FUNCTION list_contains(list anycompatiblearray, element anycompatible) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT element = ANY(array_remove(list, NULL)) $$;

CREATE INDEX submissions_by_stage ON submissions (stage, sla_target);
CREATE INDEX submissions_by_centre ON submissions (centre_id, id);
CREATE INDEX submissions_centre_releases ON submissions (centre_id, stage, released_at);
CREATE INDEX submissions_assessor_releases ON submissions (assessor_id, stage, released_at);
CREATE INDEX submissions_by_learner ON submissions (learner_id);
CREATE INDEX submissions_by_batch ON submissions (batch_id);
CREATE INDEX files_by_submission ON files (submission_id);
CREATE INDEX batches_by_centre ON batches (centre_id);
CREATE INDEX learners_by_centre ON learners (centre_id);
