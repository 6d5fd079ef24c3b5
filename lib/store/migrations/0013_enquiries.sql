-- Enquiries about results and appeals (the service policy's Enquiries and Appeals Policy). A centre enquires
-- once about a released item, for some of its units; a reviewer who did not mark it and has no conflict with the
-- centre confirms or changes each unit's result; the centre may appeal that outcome once, to quality, whose
-- decision is final.
CREATE SEQUENCE seq_enquiries;
CREATE TABLE enquiries (
    id INTEGER PRIMARY KEY,
    -- One enquiry an item, made unique here: two people raising it at once make one.
    submission_id INTEGER NOT NULL UNIQUE,
    centre_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    raised_by INTEGER NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('awaiting_reviewer', 'in_review', 'decided', 'appealed', 'final')),
    reviewer_id INTEGER,
    assigned_at TIMESTAMP,
    decided_at TIMESTAMP,
    appeal_reason VARCHAR,
    appealed_at TIMESTAMP,
    appealed_by INTEGER,
    appeal_decided_at TIMESTAMP,
    appeal_decided_by INTEGER,
    CHECK ((status = 'awaiting_reviewer') = (reviewer_id IS NULL)),
    CHECK (status <> 'appealed' OR appealed_at IS NOT NULL)
);
CREATE TABLE enquiry_units (
    enquiry_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    PRIMARY KEY (enquiry_id, unit_code)
);
-- Each unit's outcome at each stage, with the result before and after: the item's results history.
CREATE TABLE enquiry_outcomes (
    enquiry_id INTEGER NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('enquiry', 'appeal')),
    unit_code VARCHAR NOT NULL,
    changed BOOLEAN NOT NULL,
    before_result VARCHAR NOT NULL,
    before_mark INTEGER NOT NULL,
    after_result VARCHAR NOT NULL,
    after_mark INTEGER NOT NULL,
    note VARCHAR NOT NULL,
    -- The enquiry fee comes back for a changed unit when the refund setting said so at the decision.
    fee_refunded BOOLEAN NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by INTEGER NOT NULL,
    PRIMARY KEY (enquiry_id, stage, unit_code)
);
-- A claimed pass that an enquiry or appeal turned into a referral must be withdrawn on Walled Garden: the claim
-- row goes (so a pass given back later is claimed afresh) and the withdrawal waits here until the team has made it.
CREATE TABLE claim_withdrawals (
    submission_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    claimed_by INTEGER NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by INTEGER
);
CREATE UNIQUE INDEX claim_withdrawals_one_waiting ON claim_withdrawals (
    (CASE WHEN withdrawn_at IS NULL THEN submission_id END), (CASE WHEN withdrawn_at IS NULL THEN unit_code END));
INSERT INTO fees VALUES
    ('enquiry', 'Enquiry about results, per unit enquired about', 60.00),
    ('enquiry_refund', 'Enquiry fee refunded, per unit whose result the enquiry changed', 60.00),
    ('appeal_refund', 'Enquiry fee refunded, per unit whose result an appeal changed', 60.00);
INSERT INTO settings VALUES
    ('enquiry_window_working_days', '20', 'A centre may enquire about a result up to this many working days after its release'),
    ('enquiry_assign_working_days', '5', 'An enquiry has a reviewer within this many working days of being raised'),
    ('enquiry_target_working_days', '20', 'An enquiry is decided within this many working days of being raised'),
    ('appeal_window_working_days', '10', 'A centre may appeal an enquiry outcome up to this many working days after it'),
    ('appeal_target_working_days', '20', 'Quality decides an appeal within this many working days of it'),
    ('enquiry_refund_when_changed', '1', 'Refund the enquiry fee for each unit whose result changed (1) or not (0)');
