-- The ILM side: quality checks, conflicts of interest, lead-assessor sampling, Walled Garden claims,
-- and the settings an assessment team tunes (sampling rules).

ALTER TABLE submissions ADD COLUMN quality_checked_at TIMESTAMP;
ALTER TABLE submissions ADD COLUMN quality_checked_by INTEGER;

CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
INSERT INTO settings VALUES
    ('sampling_first_markings', '10', 'Every item of an assessor''s first N markings is sampled'),
    ('sampling_random_percent', '10', 'Percentage of the other marked items sampled at random'),
    ('sla_at_risk_working_days', '5', 'Open items with this many working days left, or fewer, are at risk');

CREATE TABLE conflicts_of_interest (
    assessor_id INTEGER NOT NULL,
    centre_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL CHECK (length(trim(reason)) > 0),
    recorded_at TIMESTAMP NOT NULL,
    recorded_by INTEGER NOT NULL,
    PRIMARY KEY (assessor_id, centre_id)
);

CREATE TABLE sampling (
    submission_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    reasons VARCHAR NOT NULL,
    selected_at TIMESTAMP NOT NULL,
    decision VARCHAR CHECK (decision IN ('agreed', 'sent_back')),
    note VARCHAR,
    decided_at TIMESTAMP,
    decided_by INTEGER,
    PRIMARY KEY (submission_id, round)
);

CREATE TABLE claims (
    submission_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    claimed_by INTEGER NOT NULL,
    PRIMARY KEY (submission_id, unit_code)
);
