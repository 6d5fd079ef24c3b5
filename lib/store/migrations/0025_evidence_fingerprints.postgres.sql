-- Evidence fingerprints for finding copied work: one row a piece of evidence (its sampled runs of words, or why it
-- has none), and one row a sample, so that the evidence sharing a new file's samples is found through its
-- samples rather than by comparing the file with every other one.
CREATE TABLE evidence_fingerprints (
    file_id INTEGER PRIMARY KEY,
    samples INTEGER NOT NULL,
    not_compared VARCHAR  -- why a file has no samples (a recording, a scan, over the word cap)
);

-- PostgreSQL finds the files sharing a sample through the index on sample, and a file's own samples through the
-- one on file_id (DuckDB's script has neither: it joins by hash).
CREATE TABLE evidence_samples (
    sample BIGINT NOT NULL,
    file_id INTEGER NOT NULL
);
CREATE INDEX evidence_samples_by_sample ON evidence_samples (sample, file_id);
CREATE INDEX evidence_samples_by_file ON evidence_samples (file_id);

INSERT INTO settings VALUES
    ('copied_work_percent', '25', 'Evidence sharing at least this share (%) of the shorter text with another item''s evidence is shown as a match at quality check and marking');
