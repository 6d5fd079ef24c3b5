-- Learner records (the Individual Learner Record a centre keeps for its funding return), prefilled from the ILR
-- template of the programme the learner is enrolled on.
CREATE SEQUENCE seq_programmes;
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    name VARCHAR NOT NULL CHECK (length(trim(name)) BETWEEN 3 AND 80),
    academic_year VARCHAR NOT NULL CHECK (academic_year ~ '^\d{4}/\d{2}$'),
    qualification_code VARCHAR NOT NULL,
    units VARCHAR[] NOT NULL,
    allow_sign_without_verification BOOLEAN NOT NULL DEFAULT FALSE,
    -- The ILR template; template_filled_at NULL: not filled yet.
    prog_type INTEGER,
    std_code INTEGER,
    fund_model INTEGER,
    aims JSON,
    fin_records JSON,
    template_filled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL,
    UNIQUE (centre_id, name, academic_year)
);
CREATE SEQUENCE seq_learner_records;
CREATE TABLE learner_records (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    programme_id INTEGER NOT NULL,
    learner_id INTEGER NOT NULL,
    -- User part: what the learner gives.
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    search_name VARCHAR NOT NULL,
    date_of_birth DATE,
    uln VARCHAR NOT NULL,
    email VARCHAR,
    telephone VARCHAR,
    postcode VARCHAR,
    -- Admin part: what the centre records.
    learn_ref VARCHAR NOT NULL,
    prog_type INTEGER,
    std_code INTEGER,
    fund_model INTEGER,
    aims JSON,
    fin_records JSON,
    start_date DATE,
    planned_end_date DATE,
    actual_end_date DATE,
    destination VARCHAR,
    -- Template fields set by hand for this learner: the template no longer reaches them.
    own_fields VARCHAR[] NOT NULL DEFAULT ARRAY[]::VARCHAR[],
    status VARCHAR NOT NULL CHECK (status IN ('newly_submitted', 'signature_required', 'signed', 'qa_verified',
                                              'completed')),
    status_reason VARCHAR,
    version INTEGER NOT NULL,
    verified_by INTEGER,
    verified_at TIMESTAMP,
    signed_on DATE,
    signed_how VARCHAR,
    qa_by INTEGER,
    qa_at TIMESTAMP,
    last_edited_by INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (centre_id, learn_ref),
    -- One record a learner at a centre: its ULN and reference identify the learner in the funding return.
    UNIQUE (centre_id, learner_id)
);
-- One record per ULN per centre (the temporary ULN aside), made unique here: two people typing the same ULN at
-- once make one record, not two.
CREATE UNIQUE INDEX learner_records_one_per_uln ON learner_records (
    (CASE WHEN uln <> '9999999999' THEN centre_id END), (CASE WHEN uln <> '9999999999' THEN uln END));
CREATE TABLE learner_record_versions (
    record_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    -- {field: [before, after]} of what this version changed; the whole record as it then stood.
    changes JSON NOT NULL,
    snapshot JSON NOT NULL,
    PRIMARY KEY (record_id, version)
);
