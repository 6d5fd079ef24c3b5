-- The foundation: reference data, people, submissions with their units, files, batches and the audit log.
-- No FOREIGN KEY clauses: DuckDB refuses updates to rows other tables reference, which the workflow
-- needs; lib/ checks references inside the same transaction instead.

CREATE SEQUENCE seq_centres;
CREATE SEQUENCE seq_users;
CREATE SEQUENCE seq_learners;
CREATE SEQUENCE seq_registrations;
CREATE SEQUENCE seq_batches;
CREATE SEQUENCE seq_submissions;
CREATE SEQUENCE seq_files;
CREATE SEQUENCE seq_audit_log;

CREATE TABLE app_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE qualifications (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 8)
);

CREATE TABLE units (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 8),
    credits INTEGER NOT NULL CHECK (credits > 0),
    -- NULL: no word-count guidance for this unit.
    word_limit INTEGER CHECK (word_limit IS NULL OR word_limit > 0)
);

CREATE TABLE qualification_units (
    qualification_code VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    PRIMARY KEY (qualification_code, unit_code)
);

CREATE TABLE centres (
    id INTEGER PRIMARY KEY,
    number VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    blocked_reason VARCHAR,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE centre_approvals (
    centre_id INTEGER NOT NULL,
    qualification_code VARCHAR NOT NULL,
    integrated BOOLEAN NOT NULL DEFAULT FALSE,
    approved_on DATE NOT NULL,
    PRIMARY KEY (centre_id, qualification_code)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    email VARCHAR,
    role VARCHAR NOT NULL CHECK (role IN ('centre', 'assessment_team', 'assessor', 'lead_assessor', 'quality')),
    centre_id INTEGER,
    -- For centre accounts: the centre quality contact who approved the account.
    approved_by VARCHAR,
    password_hash VARCHAR NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    CHECK ((role = 'centre') = (centre_id IS NOT NULL))
);

CREATE TABLE sessions (
    -- SHA-256 of the token in the browser's cookie: a stolen database does not yield live cookies.
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    end_reason VARCHAR CHECK (end_reason IN ('signed_out', 'signed_in_elsewhere', 'account_closed', 'centre_blocked'))
);

CREATE TABLE learners (
    id INTEGER PRIMARY KEY,
    enr VARCHAR NOT NULL UNIQUE,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    centre_id INTEGER NOT NULL
);

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL,
    qualification_code VARCHAR NOT NULL,
    registered_on DATE NOT NULL,
    expires_on DATE NOT NULL,
    UNIQUE (learner_id, qualification_code)
);

CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    name VARCHAR NOT NULL CHECK (length(name) BETWEEN 3 AND 20),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER
);

-- stage is the service's internal state; the centre sees a status derived from it (lib/status.py).
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    learner_id INTEGER NOT NULL,
    qualification_code VARCHAR NOT NULL,
    type VARCHAR NOT NULL CHECK (type IN ('Unit', 'Integrated')),
    stage VARCHAR NOT NULL CHECK (stage IN ('pending', 'submitted', 'accepted', 'allocated', 'marked',
                                             'sampling', 'ready', 'released', 'rejected')),
    -- Fixed when the item is submitted.
    category VARCHAR CHECK (category IN ('New', 'Updated', 'Re-assessment')),
    -- The record this one re-submits (a rejected or referred record of the same learner and units).
    resubmits_id INTEGER,
    -- "8000-250" or "8000-251, 8000-255": kept with the row so lists need no aggregation.
    unit_codes VARCHAR NOT NULL,
    batch_id INTEGER,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by INTEGER,
    submitted_at TIMESTAMP,
    submitted_by INTEGER,
    -- First working day on or after submitted_at: the day the 25-day clock starts.
    received_on DATE,
    sla_target DATE,
    qc_due DATE,
    rejected_at TIMESTAMP,
    rejection_reason VARCHAR,
    assessor_id INTEGER,
    allocated_at TIMESTAMP,
    marked_at TIMESTAMP,
    released_at TIMESTAMP,
    -- Set on release from the unit results: Pass when every unit passed, else Referral.
    result VARCHAR CHECK (result IN ('Pass', 'Referral')),
    mark INTEGER CHECK (mark BETWEEN 0 AND 100),
    CHECK ((stage = 'pending') = (submitted_at IS NULL)),
    CHECK (stage <> 'rejected' OR rejection_reason IS NOT NULL),
    CHECK ((stage = 'released') = (released_at IS NOT NULL))
);

CREATE TABLE submission_units (
    submission_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    result VARCHAR CHECK (result IN ('Pass', 'Referral')),
    mark INTEGER CHECK (mark BETWEEN 0 AND 100),
    feedback VARCHAR,
    marked_at TIMESTAMP,
    marked_by INTEGER,
    PRIMARY KEY (submission_id, unit_code)
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL,
    -- NULL for evidence and for a single result sheet covering every unit of an integrated item.
    unit_code VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('evidence', 'result_sheet', 'marked_result_sheet', 'declaration')),
    original_name VARCHAR NOT NULL,
    stored_name VARCHAR NOT NULL UNIQUE,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 VARCHAR NOT NULL,
    word_count INTEGER,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by INTEGER NOT NULL,
    removed_at TIMESTAMP
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    user_id INTEGER,
    username VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR,
    before JSON,
    after JSON
);
