-- The service's jobs on a schedule (backup, archive, reconcile-files, EQA alerts, invoicing): each run recorded
-- with its figures, one job at a time (the one row of job_lock, made unique by its key), and their settings.
CREATE SEQUENCE seq_job_runs START 1;
CREATE TABLE job_runs (
    id BIGINT PRIMARY KEY,
    job VARCHAR NOT NULL,
    trigger VARCHAR NOT NULL CHECK (trigger IN ('schedule', 'person', 'command')),
    requested_by VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    outcome VARCHAR NOT NULL CHECK (outcome IN ('running', 'done', 'failed', 'interrupted')),
    figures JSON,
    message VARCHAR
);
CREATE INDEX job_runs_by_job ON job_runs (job, started_at);

CREATE TABLE job_lock (
    name VARCHAR PRIMARY KEY,
    run_id BIGINT NOT NULL,
    taken_at TIMESTAMP NOT NULL
);

INSERT INTO settings VALUES
    ('jobs_hour', '2', 'The hour of the night (0 to 23) when the nightly jobs run: backup, archive, file check, EQA alerts'),
    ('backup_interval_hours', '24', 'A backup is taken this many hours after the last one (24: nightly)'),
    ('backup_keep', '7', 'How many backups are kept; older ones are removed after a new one completes');
