-- Analytics: batch flags and EQA alert thresholds, Feedback Summary Reports, EQA alerts with their
-- history, the Guide to Fees and weekly re-assessment invoices.

INSERT INTO settings VALUES
    ('batch_flag_rate_percent', '40', 'Batch review flags a batch whose referral rate is at least this percentage'),
    ('batch_flag_min_results', '5', 'Batch review flags only batches with at least this many released unit results'),
    ('eqa_consecutive_months', '3', 'An EQA alert needs this many months in a row above the service''s monthly referral rate'),
    ('eqa_min_results_per_month', '10', 'Each of those months needs at least this many released unit results');

CREATE TABLE feedback_reports (
    batch_id INTEGER PRIMARY KEY,
    trends VARCHAR NOT NULL CHECK (length(trim(trends)) > 0),
    -- {"8000-250": "advice on this unit", …}
    unit_advice JSON NOT NULL,
    written_by INTEGER NOT NULL,
    written_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_eqa_alerts;
CREATE TABLE eqa_alerts (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    first_month VARCHAR NOT NULL,
    last_month VARCHAR NOT NULL,
    -- [{"month": "2026-01", "results": 14, "referrals": 6, "rate": 42.9, "service": 21.0}, …]
    months JSON NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('open', 'contacted', 'action_plan', 'closed')),
    raised_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE eqa_alert_notes (
    alert_id INTEGER NOT NULL,
    written_at TIMESTAMP NOT NULL,
    written_by INTEGER NOT NULL,
    from_status VARCHAR NOT NULL,
    to_status VARCHAR NOT NULL,
    note VARCHAR NOT NULL CHECK (length(trim(note)) > 0)
);

CREATE TABLE fees (
    code VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL,
    amount DECIMAL(10, 2) NOT NULL CHECK (amount >= 0)
);
INSERT INTO fees VALUES
    ('re_assessment', 'Re-assessment, per unit re-submitted after a Referral', 85.00),
    ('word_count_excess', 'Marking over the word-count guidance, per further 10,000 words (a re-submission fee)', 85.00);

CREATE SEQUENCE seq_invoices;
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    centre_id INTEGER NOT NULL,
    week_start DATE NOT NULL,
    purchase_order VARCHAR NOT NULL,
    run_at TIMESTAMP NOT NULL,
    run_by INTEGER NOT NULL,
    total DECIMAL(12, 2) NOT NULL
);

CREATE TABLE invoice_lines (
    invoice_id INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    fee_code VARCHAR NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_amount DECIMAL(10, 2) NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    -- An item is billed for each fee at most once, however often a week is run.
    UNIQUE (submission_id, fee_code)
);
