-- Malpractice cases: suspected plagiarism or malpractice found in quality check or marking, followed up by
-- quality. While a case is open nothing of its item is released or claimed; only ILM staff see cases.
CREATE SEQUENCE seq_malpractice_cases;
CREATE TABLE malpractice_cases (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL,
    raised_in VARCHAR NOT NULL CHECK (raised_in IN ('quality_check', 'marking')),
    concern VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('open', 'investigating', 'closed')),
    outcome VARCHAR CHECK (outcome IN ('no_case', 'learner_malpractice', 'centre_malpractice')),
    opened_at TIMESTAMP NOT NULL,
    opened_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
-- One case at a time on an item: a second flag while one is open is refused by the database, not by a check.
CREATE UNIQUE INDEX malpractice_one_open_case ON malpractice_cases (
    (CASE WHEN status <> 'closed' THEN submission_id END));
CREATE TABLE malpractice_notes (
    case_id INTEGER NOT NULL,
    written_at TIMESTAMP NOT NULL,
    written_by INTEGER NOT NULL,
    from_status VARCHAR,
    to_status VARCHAR NOT NULL,
    note VARCHAR NOT NULL
);
