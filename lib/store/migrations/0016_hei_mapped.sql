-- HEI dual accreditation (ILM Mapped): a university maps its own degree programmes to ILM qualifications. Quality
-- keeps the mapping documents, decides the changes, and runs the EQA release check after each Exam Board; the
-- learners who achieve get a dual-branded digital credential. (Which centres are universities: centres.is_hei.)
CREATE SEQUENCE seq_hei_programmes;
CREATE TABLE hei_programmes (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    qualification_code VARCHAR NOT NULL,
    achievement_point VARCHAR NOT NULL CHECK (achievement_point IN ('end_of_degree', 'part_way')),
    direct_claim_status BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL,
    UNIQUE (centre_id, title)
);
CREATE TABLE mapping_versions (
    programme_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    issued_on DATE NOT NULL,
    note VARCHAR NOT NULL,
    -- The mapping document itself (Word or PDF, checked and at most 10 MB), kept with its version.
    original_name VARCHAR NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL,
    PRIMARY KEY (programme_id, version)
);
CREATE TABLE mapping_rows (
    programme_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    hei_module VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL
);
CREATE SEQUENCE seq_hei_change_requests;
CREATE TABLE hei_change_requests (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL,
    centre_id INTEGER NOT NULL,
    changed VARCHAR[] NOT NULL,
    description VARCHAR NOT NULL,
    effective_from DATE NOT NULL,
    learner_ids INTEGER[] NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('submitted', 'minor_change', 'remapping', 'remapped')),
    submitted_at TIMESTAMP NOT NULL,
    submitted_by INTEGER NOT NULL,
    decided_at TIMESTAMP,
    decided_by INTEGER,
    decision_note VARCHAR,
    cost_note VARCHAR,
    closed_at TIMESTAMP,
    closed_by INTEGER,
    -- Direct Claim Status the programme had when a re-mapping removed it (given back when it is done).
    dcs_removed BOOLEAN NOT NULL DEFAULT FALSE
);
-- Walled Garden orders of an HEI: the learners registered on each, and which were claimed for ILM achievement.
CREATE TABLE hei_order_learners (
    order_number VARCHAR NOT NULL,
    programme_id INTEGER NOT NULL,
    learner_id INTEGER NOT NULL,
    email VARCHAR,
    claimed BOOLEAN NOT NULL,
    released_at TIMESTAMP,
    PRIMARY KEY (order_number, learner_id)
);
CREATE SEQUENCE seq_release_checks;
CREATE TABLE release_checks (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL,
    centre_id INTEGER NOT NULL,
    exam_board_date DATE NOT NULL,
    minutes_title VARCHAR NOT NULL,
    order_number VARCHAR NOT NULL,
    mapping_version INTEGER NOT NULL,
    programme_changed BOOLEAN NOT NULL,
    achievement_point VARCHAR NOT NULL CHECK (achievement_point IN ('end_of_degree', 'part_way')),
    list_name VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    outcome VARCHAR NOT NULL,
    change_request_id INTEGER,
    checked_at TIMESTAMP NOT NULL,
    checked_by INTEGER NOT NULL
);
CREATE TABLE release_check_learners (
    check_id INTEGER NOT NULL,
    learner_id INTEGER,
    name VARCHAR NOT NULL,
    enr VARCHAR,
    finding VARCHAR NOT NULL CHECK (finding IN ('conferred_and_claimed', 'claimed_not_on_list',
                                               'registered_not_certificated', 'on_list_not_on_order'))
);
CREATE TABLE hei_credentials (
    programme_id INTEGER PRIMARY KEY,
    badge_template_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    criteria VARCHAR NOT NULL,
    skills VARCHAR[] NOT NULL,
    logo_name VARCHAR,
    logo BYTEA,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER NOT NULL
);
-- A credential issued once per template to an email, and once to an ENR: made unique here.
CREATE TABLE badges_issued (
    badge_template_id VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    enr VARCHAR NOT NULL,
    check_id INTEGER NOT NULL,
    learner_id INTEGER NOT NULL,
    issued_on DATE NOT NULL,
    UNIQUE (badge_template_id, email),
    UNIQUE (badge_template_id, enr)
);
