-- Change of assessment method: a centre asks to send recorded evidence (presentations, professional discussions,
-- recorded questions and answers) for some units of a qualification; quality or the team approves it with
-- conditions (formats, the largest file, the longest recording) or declines it with a reason. Only an approved
-- request lets that centre upload recordings for those units.
CREATE SEQUENCE seq_method_requests;
CREATE TABLE method_requests (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    qualification_code VARCHAR NOT NULL,
    methods VARCHAR[] NOT NULL,
    formats VARCHAR[] NOT NULL,
    expected_mb INTEGER NOT NULL CHECK (expected_mb > 0),
    expected_minutes INTEGER NOT NULL CHECK (expected_minutes > 0),
    reason VARCHAR NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    requested_by INTEGER NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('requested', 'approved', 'declined')),
    decided_at TIMESTAMP,
    decided_by INTEGER,
    decision_note VARCHAR,
    allowed_formats VARCHAR[],
    max_mb INTEGER CHECK (max_mb IS NULL OR max_mb > 0),
    max_minutes INTEGER CHECK (max_minutes IS NULL OR max_minutes > 0),
    CHECK ((status = 'approved') = (allowed_formats IS NOT NULL AND max_mb IS NOT NULL AND max_minutes IS NOT NULL))
);
-- One request waiting at a time for a centre and qualification: two clicks make one.
CREATE UNIQUE INDEX method_requests_one_waiting ON method_requests (
    (CASE WHEN status = 'requested' THEN centre_id END), (CASE WHEN status = 'requested' THEN qualification_code END));
CREATE TABLE method_request_units (
    request_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    PRIMARY KEY (request_id, unit_code)
);
-- A recording's length, measured from its content when it was accepted (evidence documents have a word count).
ALTER TABLE files ADD COLUMN duration_seconds DOUBLE PRECISION;
