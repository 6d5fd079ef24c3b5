-- Evidence fingerprints for finding copied work: one row a piece of evidence (its sampled runs of words, or why it
-- has none), and one row a sample, so that the evidence sharing a new file's samples is found through its
-- samples rather than by comparing the file with every other one.
CREATE TABLE evidence_fingerprints (
    file_id INTEGER PRIMARY KEY,
    samples INTEGER NOT NULL,
    not_compared VARCHAR  -- why a file has no samples (a recording, a scan, over the word cap)
);

-- No key: a file's samples are distinct when stored, and DuckDB finds shared samples by a hash join, for which an
-- index would only add its size (about four times the table's); PostgreSQL looks them up through its index
-- (0025_evidence_fingerprints.postgres.sql).
CREATE TABLE evidence_samples (
    sample BIGINT NOT NULL,
    file_id INTEGER NOT NULL
);

INSERT INTO settings VALUES
    ('copied_work_percent', '25', 'Evidence sharing at least this share (%) of the shorter text with another item''s evidence is shown as a match at quality check and marking');
