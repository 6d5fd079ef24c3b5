-- Retention: released and rejected items are archived after a number of years (to Parquet, with their files),
-- invoices and the audit rows of money after their own; each archived chunk is recorded when its live rows go.
INSERT INTO settings VALUES
    ('retention_years', '3', 'Released and rejected items are archived this many years after release or rejection'),
    ('money_retention_years', '6', 'Invoices and their lines are kept this many years');

CREATE TABLE archive_chunks (
    folder VARCHAR PRIMARY KEY,
    cutoff TIMESTAMP NOT NULL,
    items INTEGER NOT NULL,
    archived_at TIMESTAMP NOT NULL,
    archived_by INTEGER
);

CREATE TABLE archive_restores (
    submission_id INTEGER PRIMARY KEY,
    folder VARCHAR NOT NULL,
    restored_at TIMESTAMP NOT NULL,
    restored_by INTEGER
);
