-- Walled Garden registration imports: each file applied is remembered by its SHA-256, so the same file twice
-- changes nothing the second time. Learners may carry a ULN and a date of birth from the export.
ALTER TABLE learners ADD COLUMN uln VARCHAR;
ALTER TABLE learners ADD COLUMN date_of_birth DATE;

CREATE TABLE registration_imports (
    sha256 VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    rows INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    applied_by INTEGER,
    summary JSON NOT NULL
);
