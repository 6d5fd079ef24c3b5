-- Every learner of a release check is reported, and how the Exam Board list named them: by ENR, or by name only
-- when the list gave no ID (a warning quality confirms; NULL for checks recorded before this). A learner on the
-- order and on the list but not claimed is now a finding of its own. DuckDB cannot change a CHECK constraint in
-- place, so the table is rebuilt with its rows.
CREATE TABLE release_check_learners_new (
    check_id INTEGER NOT NULL,
    learner_id INTEGER,
    name VARCHAR NOT NULL,
    enr VARCHAR,
    finding VARCHAR NOT NULL CHECK (finding IN ('conferred_and_claimed', 'claimed_not_on_list',
                                               'conferred_not_claimed', 'registered_not_certificated',
                                               'on_list_not_on_order')),
    matched_by VARCHAR CHECK (matched_by IN ('enr', 'name'))
);
INSERT INTO release_check_learners_new SELECT check_id, learner_id, name, enr, finding, NULL
FROM release_check_learners;
DROP TABLE release_check_learners;
ALTER TABLE release_check_learners_new RENAME TO release_check_learners;
